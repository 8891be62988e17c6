package harness

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// DefaultMembers are the users every stand-in trusts until a test says
// otherwise: the authors and commenters of the payload builders, the PR
// author octocat and fresnel's own bot. Each is a member of every
// organization, group, workspace or project and a collaborator on every
// repository; on Gerrit, a member of every group.
func DefaultMembers() []string {
	return []string{"alice", "bob", "octocat", "fresnel-bot"}
}

// scmState is what a stand-in keeps for the trust, label and comment
// calls: members and collaborators a test set, and each pull request's
// labels and comments.
type scmState struct {
	mu sync.Mutex
	// strict is set by the first SetMembers or SetCollaborators: from then
	// on only what the test set counts, and DefaultMembers no longer do.
	strict        bool
	members       map[string][]string
	collaborators map[string][]string
	labels        map[string][]string
	comments      map[string][]*storedComment
	nextID        int
	// sameUser reports whether a user the API was asked about is the user
	// a test named; nil compares them exactly.
	sameUser func(asked, named string) bool
}

type storedComment struct {
	id      int
	author  string
	body    string
	version int
}

func newSCMState() *scmState {
	return &scmState{
		members: map[string][]string{}, collaborators: map[string][]string{},
		labels: map[string][]string{}, comments: map[string][]*storedComment{}, nextID: 1,
	}
}

// prKey names a pull request in the state maps.
func prKey(repo string, number int) string { return repo + "#" + strconv.Itoa(number) }

// SetMembers makes users the only members of org (a GitHub organization,
// GitLab group, Bitbucket Cloud workspace, Bitbucket Data Center project
// or Gerrit group). From the first call of SetMembers or SetCollaborators
// on, organizations and repositories a test has not set have no members.
func (f *FakeSCM) SetMembers(org string, users ...string) {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	f.state.strict = true
	f.state.members[org] = users
}

// SetCollaborators makes users the only users who may write to repo
// (owner/name, a GitLab project path, workspace/slug or KEY/slug); see
// SetMembers. Gerrit has no collaborators: set its trusted group's members.
func (f *FakeSCM) SetCollaborators(repo string, users ...string) {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	f.state.strict = true
	f.state.collaborators[repo] = users
}

// isMember answers a membership call about org.
func (f *FakeSCM) isMember(org, user string) bool {
	return f.state.trusted(f.state.members, org, user)
}

// isCollaborator answers a collaborator call about repo.
func (f *FakeSCM) isCollaborator(repo, user string) bool {
	return f.state.trusted(f.state.collaborators, repo, user)
}

func (s *scmState) trusted(set map[string][]string, key, user string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	users := set[key]
	if !s.strict {
		users = DefaultMembers()
	}
	return slices.ContainsFunc(users, func(named string) bool { return s.same(user, named) })
}

func (s *scmState) same(asked, named string) bool {
	if s.sameUser != nil {
		return s.sameUser(asked, named)
	}
	return strings.EqualFold(asked, named)
}

// membersOf lists the users a test named for org, or DefaultMembers.
func (f *FakeSCM) membersOf(org string) (users []string, known bool) {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	if !f.state.strict {
		return DefaultMembers(), true
	}
	users, known = f.state.members[org]
	return users, known
}

// Labels returns the labels of pull request number of repo (on Gerrit,
// the hashtags of change number of project), in the order they were added.
func (f *FakeSCM) Labels(repo string, number int) []string {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	return slices.Clone(f.state.labels[prKey(repo, number)])
}

// hasLabels reports whether a pull request's labels were ever set or
// changed.
func (f *FakeSCM) hasLabels(repo string, number int) bool {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	_, ok := f.state.labels[prKey(repo, number)]
	return ok
}

// SetLabels replaces the labels of a pull request, as if someone had set
// them on the SCM.
func (f *FakeSCM) SetLabels(repo string, number int, labels ...string) {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	f.state.labels[prKey(repo, number)] = slices.Clone(labels)
}

// addLabels adds labels a pull request does not have yet.
func (f *FakeSCM) addLabels(repo string, number int, labels ...string) []string {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	key := prKey(repo, number)
	if _, ok := f.state.labels[key]; !ok {
		f.state.labels[key] = []string{}
	}
	for _, l := range labels {
		if l != "" && !slices.Contains(f.state.labels[key], l) {
			f.state.labels[key] = append(f.state.labels[key], l)
		}
	}
	return slices.Clone(f.state.labels[key])
}

// removeLabel removes a label and reports whether the pull request had it.
func (f *FakeSCM) removeLabel(repo string, number int, label string) bool {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	key := prKey(repo, number)
	i := slices.Index(f.state.labels[key], label)
	if i < 0 {
		return false
	}
	f.state.labels[key] = slices.Delete(f.state.labels[key], i, i+1)
	return true
}

// Comments returns the comments on pull request number of repo, oldest
// first, edits applied and deleted ones gone: those fresnel posted and
// those a test added with AddComment.
func (f *FakeSCM) Comments(repo string, number int) []event.Comment {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	var out []event.Comment
	for _, c := range f.state.comments[prKey(repo, number)] {
		out = append(out, event.Comment{ID: strconv.Itoa(c.id), Body: c.body, Author: c.author})
	}
	return out
}

// AddComment adds author's comment to a pull request, as if they had
// written it on the SCM, and returns its id.
func (f *FakeSCM) AddComment(repo string, number int, author, body string) string {
	return strconv.Itoa(f.addComment(repo, number, author, body).id)
}

func (f *FakeSCM) addComment(repo string, number int, author, body string) storedComment {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	c := &storedComment{id: f.state.nextID, author: author, body: body}
	f.state.nextID++
	key := prKey(repo, number)
	f.state.comments[key] = append(f.state.comments[key], c)
	return *c
}

// comment finds comment id on any pull request of repo.
func (f *FakeSCM) comment(repo string, id int) (storedComment, bool) {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	for key, list := range f.state.comments {
		for _, c := range list {
			if c.id == id && strings.HasPrefix(key, repo+"#") {
				return *c, true
			}
		}
	}
	return storedComment{}, false
}

// editComment replaces a comment's body and bumps its version; version,
// when not negative, must be the comment's current one.
func (f *FakeSCM) editComment(repo string, id, version int, body string) (storedComment, commentResult) {
	return f.changeComment(repo, id, version, func(list []*storedComment, i int) []*storedComment {
		list[i].body = body
		list[i].version++
		return list
	})
}

// deleteComment removes a comment; see editComment for version.
func (f *FakeSCM) deleteComment(repo string, id, version int) commentResult {
	_, res := f.changeComment(repo, id, version, func(list []*storedComment, i int) []*storedComment {
		return slices.Delete(list, i, i+1)
	})
	return res
}

// commentResult is how a change of a comment went.
type commentResult int

const (
	commentChanged commentResult = iota
	commentMissing
	commentOutdated
)

func (f *FakeSCM) changeComment(repo string, id, version int, change func([]*storedComment, int) []*storedComment) (storedComment, commentResult) {
	f.state.mu.Lock()
	defer f.state.mu.Unlock()
	for key, list := range f.state.comments {
		if !strings.HasPrefix(key, repo+"#") {
			continue
		}
		for i, c := range list {
			if c.id != id {
				continue
			}
			if version >= 0 && c.version != version {
				return *c, commentOutdated
			}
			kept := *c
			f.state.comments[key] = change(list, i)
			if len(f.state.comments[key]) == len(list) {
				kept = *f.state.comments[key][i]
			}
			return kept, commentChanged
		}
	}
	return storedComment{}, commentMissing
}
