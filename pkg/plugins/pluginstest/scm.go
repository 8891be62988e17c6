// Package pluginstest is an in-memory SCM for plugin tests: it implements
// every role interface plugins use and records what they did.
package pluginstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// SCM is one in-memory SCM holding the state of its pull requests. Set
// its fields before use; read them after, or use the accessors.
type SCM struct {
	mu sync.Mutex
	// Collaborators and Members answer TrustChecker; Admins AdminChecker.
	Collaborators, Members, Admins []string
	// PR is the pull request CompletePullRequest fills in from.
	PR event.Event
	// Fail makes every call of the named method fail ("AddLabel").
	Fail map[string]error

	labels    []string
	assignees []string
	reviewers []string
	comments  []string
	statuses  []providers.Status
	votes     []Vote
	closed    bool
}

// Vote is one recorded Voter call.
type Vote struct {
	Label   string
	Value   int
	Message string
}

var (
	_ providers.Commenter         = (*SCM)(nil)
	_ providers.Labeler           = (*SCM)(nil)
	_ providers.TrustChecker      = (*SCM)(nil)
	_ providers.StatusReporter    = (*SCM)(nil)
	_ providers.PullRequestReader = (*SCM)(nil)
	_ providers.Assigner          = (*SCM)(nil)
	_ providers.ReviewRequester   = (*SCM)(nil)
	_ providers.PullRequestCloser = (*SCM)(nil)
	_ providers.Voter             = Voting{}
	_ providers.AdminChecker      = (*SCM)(nil)
)

// New returns an SCM whose pull request has labels.
func New(labels ...string) *SCM { return &SCM{labels: labels} }

func (s *SCM) fail(method string) error {
	if err := s.Fail[method]; err != nil {
		return fmt.Errorf("pluginstest: %s: %w", method, err)
	}
	return nil
}

// Comment records body.
func (s *SCM) Comment(_ context.Context, _ event.Target, body string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail("Comment"); err != nil {
		return "", err
	}
	s.comments = append(s.comments, body)
	return strconv.Itoa(len(s.comments)), nil
}

// Labels returns the labels.
func (s *SCM) Labels(context.Context, event.Target) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.labels), s.fail("Labels")
}

// AddLabel adds label once.
func (s *SCM) AddLabel(_ context.Context, _ event.Target, label string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail("AddLabel"); err != nil {
		return err
	}
	s.labels = addAll(s.labels, label)
	return nil
}

// RemoveLabel removes label.
func (s *SCM) RemoveLabel(_ context.Context, _ event.Target, label string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail("RemoveLabel"); err != nil {
		return err
	}
	s.labels = removeAll(s.labels, label)
	return nil
}

// IsCollaborator answers from Collaborators.
func (s *SCM) IsCollaborator(_ context.Context, _, user string) (bool, error) {
	return slices.Contains(s.Collaborators, user), s.fail("IsCollaborator")
}

// IsOrgMember answers from Members.
func (s *SCM) IsOrgMember(_ context.Context, _, user string) (bool, error) {
	return slices.Contains(s.Members, user), s.fail("IsOrgMember")
}

// IsRepoAdmin answers from Admins.
func (s *SCM) IsRepoAdmin(_ context.Context, _, user string) (bool, error) {
	return slices.Contains(s.Admins, user), s.fail("IsRepoAdmin")
}

// SetStatus records st.
func (s *SCM) SetStatus(_ context.Context, _ event.CommitRef, st providers.Status) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail("SetStatus"); err != nil {
		return err
	}
	s.statuses = append(s.statuses, st)
	return nil
}

// CompletePullRequest fills ev's head and base from PR.
func (s *SCM) CompletePullRequest(_ context.Context, ev event.Event) (event.Event, error) {
	if s.PR.HeadSHA == "" {
		return ev, errors.New("pluginstest: no pull request")
	}
	ev.HeadSHA, ev.BaseRef, ev.Author = s.PR.HeadSHA, s.PR.BaseRef, s.PR.Author
	return ev, nil
}

// Assign adds users to the assignees.
func (s *SCM) Assign(_ context.Context, _ event.Target, users []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.assignees = addAll(s.assignees, users...)
	return s.fail("Assign")
}

// Unassign removes users from the assignees.
func (s *SCM) Unassign(_ context.Context, _ event.Target, users []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.assignees = removeAll(s.assignees, users...)
	return s.fail("Unassign")
}

// RequestReview adds users to the requested reviewers.
func (s *SCM) RequestReview(_ context.Context, _ event.Target, users []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reviewers = addAll(s.reviewers, users...)
	return s.fail("RequestReview")
}

// UnrequestReview removes users from the requested reviewers.
func (s *SCM) UnrequestReview(_ context.Context, _ event.Target, users []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reviewers = removeAll(s.reviewers, users...)
	return s.fail("UnrequestReview")
}

// ClosePullRequest marks the pull request closed.
func (s *SCM) ClosePullRequest(context.Context, event.Target) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return s.fail("ClosePullRequest")
}

// ReopenPullRequest marks the pull request open.
func (s *SCM) ReopenPullRequest(context.Context, event.Target) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = false
	return s.fail("ReopenPullRequest")
}

// Voting is an SCM that votes, as Gerrit does: plugins that prefer a
// vote to a label see Voter.
type Voting struct{ *SCM }

// Vote records a vote.
func (v Voting) Vote(_ context.Context, _ event.CommitRef, label string, value int, message string) error {
	s := v.SCM
	s.mu.Lock()
	defer s.mu.Unlock()
	s.votes = append(s.votes, Vote{Label: label, Value: value, Message: message})
	return s.fail("Vote")
}

// State is everything the SCM holds, for comparing in tests.
type State struct {
	Labels, Assignees, Reviewers, Comments []string
	Statuses                               []providers.Status
	Votes                                  []Vote
	Closed                                 bool
}

// State returns a copy of what the SCM holds now.
func (s *SCM) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return State{
		Labels: slices.Clone(s.labels), Assignees: slices.Clone(s.assignees), Reviewers: slices.Clone(s.reviewers),
		Comments: slices.Clone(s.comments), Statuses: slices.Clone(s.statuses), Votes: slices.Clone(s.votes), Closed: s.closed,
	}
}

func addAll(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

func removeAll(list []string, items ...string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(it string) bool { return slices.Contains(items, it) })
}

// Bare wraps an SCM so that only the roles listed are visible, for tests
// of SCMs that lack some (Bitbucket has no labels).
type Bare struct {
	providers.Commenter
	providers.StatusReporter
	providers.TrustChecker
	providers.PullRequestReader
}
