package pluginstest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// ReviewSCM is an SCM that also holds what review plugins read: the pull
// request's changed files and lines, the repository's files per commit,
// and comments that can be listed and edited. It counts every call, so
// tests and benchmarks can say what a plugin costs.
type ReviewSCM struct {
	*SCM
	// Files are the pull request's changed files.
	Files []string
	// Additions and Deletions are its changed lines.
	Additions, Deletions int
	// Content holds the repository's files: Content[ref][path].
	Content map[string]map[string]string
	// PullRequests counts each author's pull requests in the repository.
	PullRequests map[string]int
	// Bot is the login comments the SCM posts are written by.
	Bot string
	// Trees maps a commit to the hash of its tree, for TreeHash.
	Trees map[string]string
	// Teams maps "org/team" to its members, for IsTeamMember.
	Teams map[string][]string

	mu       sync.Mutex
	comments []event.Comment
	nextID   int
	calls    map[string]int
}

var (
	_ providers.CommentEditor       = (*ReviewSCM)(nil)
	_ providers.ChangeLister        = (*ReviewSCM)(nil)
	_ providers.ContentReader       = (*ReviewSCM)(nil)
	_ providers.LineCounter         = (*ReviewSCM)(nil)
	_ providers.ContributionCounter = (*ReviewSCM)(nil)
	_ providers.TreeReader          = (*ReviewSCM)(nil)
)

// NewReview returns a ReviewSCM over New(labels...), commenting as
// "fresnel-bot".
func NewReview(labels ...string) *ReviewSCM {
	return &ReviewSCM{SCM: New(labels...), Bot: "fresnel-bot", Content: map[string]map[string]string{}}
}

func (s *ReviewSCM) count(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[method]++
}

// Calls returns how often each method was called since the last reset.
func (s *ReviewSCM) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// TotalCalls is the sum of Calls.
func (s *ReviewSCM) TotalCalls() int {
	n := 0
	for _, c := range s.Calls() {
		n += c
	}
	return n
}

// ResetCalls forgets the calls counted so far.
func (s *ReviewSCM) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// AddComment adds a comment by author, as a person writing on the pull
// request would, and returns it.
func (s *ReviewSCM) AddComment(author, body string) event.Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	c := event.Comment{ID: "rc" + strconv.Itoa(s.nextID), Author: author, Body: body}
	s.comments = append(s.comments, c)
	return c
}

// Comments returns the pull request's comments, oldest first.
func (s *ReviewSCM) Comments() []event.Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.comments)
}

// Comment posts body as Bot.
func (s *ReviewSCM) Comment(_ context.Context, _ event.Target, body string) (string, error) {
	s.count("Comment")
	if err := s.fail("Comment"); err != nil {
		return "", err
	}
	return s.AddComment(s.Bot, body).ID, nil
}

// ListComments lists the comments.
func (s *ReviewSCM) ListComments(context.Context, event.Target) ([]event.Comment, error) {
	s.count("ListComments")
	return s.Comments(), s.fail("ListComments")
}

// EditComment replaces a comment's body.
func (s *ReviewSCM) EditComment(_ context.Context, _ event.Target, id, body string) error {
	s.count("EditComment")
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.comments {
		if s.comments[i].ID == id {
			s.comments[i].Body = body
			return s.fail("EditComment")
		}
	}
	return fmt.Errorf("pluginstest: edit comment %s: %w", id, providers.ErrNotFound)
}

// DeleteComment deletes a comment.
func (s *ReviewSCM) DeleteComment(_ context.Context, _ event.Target, id string) error {
	s.count("DeleteComment")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.comments = slices.DeleteFunc(s.comments, func(c event.Comment) bool { return c.ID == id })
	return s.fail("DeleteComment")
}

// ChangedFiles returns Files.
func (s *ReviewSCM) ChangedFiles(context.Context, event.Event) ([]string, error) {
	s.count("ChangedFiles")
	return slices.Clone(s.Files), s.fail("ChangedFiles")
}

// ChangedLines returns Additions and Deletions.
func (s *ReviewSCM) ChangedLines(context.Context, event.Target) (int, int, error) {
	s.count("ChangedLines")
	return s.Additions, s.Deletions, s.fail("ChangedLines")
}

// PullRequestCount answers from PullRequests.
func (s *ReviewSCM) PullRequestCount(_ context.Context, _, user string) (int, error) {
	s.count("PullRequestCount")
	return s.PullRequests[user], s.fail("PullRequestCount")
}

// ReadFile reads Content[ref][path].
func (s *ReviewSCM) ReadFile(_ context.Context, _, path, ref string) ([]byte, error) {
	s.count("ReadFile")
	data, ok := s.Content[ref][path]
	if !ok {
		return nil, fmt.Errorf("pluginstest: %s at %s: %w", path, ref, providers.ErrNotFound)
	}
	return []byte(data), s.fail("ReadFile")
}

// ListDir lists the entries of dir in Content[ref].
func (s *ReviewSCM) ListDir(_ context.Context, _, dir, ref string) ([]string, error) {
	s.count("ListDir")
	prefix := strings.TrimSuffix(dir, "/") + "/"
	if dir == "" {
		prefix = ""
	}
	seen := map[string]bool{}
	for p := range s.Content[ref] {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		if i := strings.Index(rest, "/"); i >= 0 {
			rest = rest[:i+1]
		}
		seen[rest] = true
	}
	return slices.Sorted(maps.Keys(seen)), s.fail("ListDir")
}

// Labels counts the call and returns the labels.
func (s *ReviewSCM) Labels(ctx context.Context, t event.Target) ([]string, error) {
	s.count("Labels")
	return s.SCM.Labels(ctx, t)
}

// AddLabel counts the call and adds label.
func (s *ReviewSCM) AddLabel(ctx context.Context, t event.Target, label string) error {
	s.count("AddLabel")
	return s.SCM.AddLabel(ctx, t, label)
}

// RemoveLabel counts the call and removes label.
func (s *ReviewSCM) RemoveLabel(ctx context.Context, t event.Target, label string) error {
	s.count("RemoveLabel")
	return s.SCM.RemoveLabel(ctx, t, label)
}

// CompletePullRequest counts the call and fills ev from PR, its base
// commit included.
func (s *ReviewSCM) CompletePullRequest(ctx context.Context, ev event.Event) (event.Event, error) {
	s.count("CompletePullRequest")
	out, err := s.SCM.CompletePullRequest(ctx, ev)
	if err == nil {
		out.BaseSHA = s.PR.BaseSHA
	}
	return out, err
}

// RequestReview counts the call and adds users to the reviewers.
func (s *ReviewSCM) RequestReview(ctx context.Context, t event.Target, users []string) error {
	s.count("RequestReview")
	return s.SCM.RequestReview(ctx, t, users)
}

// TreeHash answers from Trees; a commit it does not hold is not found.
func (s *ReviewSCM) TreeHash(_ context.Context, _, sha string) (string, error) {
	s.count("TreeHash")
	tree, ok := s.Trees[sha]
	if !ok {
		return "", fmt.Errorf("pluginstest: tree of %s: %w", sha, providers.ErrNotFound)
	}
	return tree, s.fail("TreeHash")
}

// IsTeamMember answers from Teams.
func (s *ReviewSCM) IsTeamMember(_ context.Context, org, team, user string) (bool, error) {
	s.count("IsTeamMember")
	return slices.Contains(s.Teams[org+"/"+team], user), s.fail("IsTeamMember")
}
