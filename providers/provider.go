// Package providers defines the small role interfaces every SCM provider
// implements, the typed errors the HTTP layer maps to status codes, and the
// registry that builds provider instances by kind.
package providers

import (
	"context"
	"io/fs"
	"net/http"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// Verifier authenticates a delivery. It runs before any parsing and must
// fail closed: any doubt is ErrUnauthorized.
type Verifier interface {
	Verify(ctx context.Context, r *http.Request, body []byte) error
}

// Parser turns a verified, size-bounded delivery into a normalized event.
// It returns ErrBadPayload for input that cannot be used and an Ignored
// error for events fresnel does not act on.
type Parser interface {
	Parse(ctx context.Context, r *http.Request, body []byte) (event.Event, error)
}

// Identifier names a delivery from what arrived, whatever Parse makes of
// it: the SCM's delivery id (or the one the provider derives from the
// body) and the event's name as the SCM sent it (an X-GitHub-Event,
// X-Gitlab-Event or X-Event-Key value, a Gerrit event type). The server
// puts both on every answer and log line, for deliveries it refuses or
// ignores too, so it must not fail: what it cannot tell is "". body may be
// unverified or nil. Optional.
type Identifier interface {
	Identify(r *http.Request, body []byte) (delivery, name string)
}

// Intake is what the webhook endpoint needs of a provider.
type Intake interface {
	Verifier
	Parser
}

// State is the state of a reported result.
type State string

// Result states, as commit statuses know them.
const (
	StatePending State = "pending"
	StateSuccess State = "success"
	StateFailure State = "failure"
	StateError   State = "error"
)

// Status is one result reported on a commit.
type Status struct {
	State       State
	Context     string
	Description string
	TargetURL   string
	// Combined is the state of all runs on this commit from this instance
	// together: failure or error if any run failed, pending while any
	// runs, success when all succeeded. SCMs that keep one verdict per
	// commit (a Gerrit vote) report it rather than State.
	Combined State
	// Moot marks a run fresnel cancelled because its result no longer
	// matters (a newer commit, a closed pull request): it says nothing of
	// the commit, so SCMs that vote leave the vote alone.
	Moot bool
}

// StatusReporter sets a commit status (or the SCM's equivalent). Setting the
// same status twice must be harmless.
type StatusReporter interface {
	SetStatus(ctx context.Context, ref event.CommitRef, s Status) error
}

// StatusReader reads back the newest status of a context on a commit, so
// that a controller taking over can tell a report its predecessor sent
// from one it did not. Optional; found is false when the SCM shows none.
type StatusReader interface {
	LatestStatus(ctx context.Context, ref event.CommitRef, context string) (s Status, found bool, err error)
}

// Commenter posts a comment on a pull request and returns its id.
type Commenter interface {
	Comment(ctx context.Context, target event.Target, body string) (id string, err error)
}

// ChangeLister lists the files a pull request changes. Triggers call it
// only when a job's rules need the list.
type ChangeLister interface {
	ChangedFiles(ctx context.Context, ev event.Event) ([]string, error)
}

// PullRequestReader fills in what a comment event lacks about its pull
// request (base branch, head SHA, draft state) from the SCM's API.
type PullRequestReader interface {
	CompletePullRequest(ctx context.Context, ev event.Event) (event.Event, error)
}

// EventRequester builds the request a delivery of a named event arrives
// as, headers included, so that a payload read from a file can be handed
// to Parse (fresnel explain). event is the provider's own name for the
// event (an X-GitHub-Event, X-Gitlab-Event or X-Event-Key value); a
// provider may also accept GitHub's names (pull_request, issue_comment,
// push) and map them onto its own. Optional: without it, explain sets the
// usual event headers to event.
type EventRequester interface {
	EventRequest(event string, body []byte) (*http.Request, error)
}

// ContentReader reads a repository's files at a commit through the SCM's
// API, without a clone. Optional: in-repo jobs need it. Both methods
// return an error wrapping ErrNotFound when path does not exist at ref.
type ContentReader interface {
	// ReadFile returns the content of the file at path.
	ReadFile(ctx context.Context, repo, path, ref string) ([]byte, error)
	// ListDir returns the names of the entries directly in the directory
	// at path, each subdirectory's name ending in "/".
	ListDir(ctx context.Context, repo, path, ref string) ([]string, error)
}

// ErrNotFound means a file, directory or other object the SCM was asked
// for does not exist. It matches fs.ErrNotExist too, so that code which
// knows no SCM (in-repo jobs) can tell a missing file.
var ErrNotFound error = notFound{}

type notFound struct{}

func (notFound) Error() string { return "not found" }

// Is makes errors.Is(err, fs.ErrNotExist) hold for ErrNotFound.
func (notFound) Is(target error) bool { return target == fs.ErrNotExist }

// TrustChecker answers the questions Prow's trigger asks before a pull
// request's or a comment's author may start jobs. Each SCM maps them onto
// what it has; its README says how.
type TrustChecker interface {
	// IsOrgMember reports whether user belongs to org: a GitHub
	// organization, a GitLab group (at least Developer, nested groups
	// included), a Bitbucket Cloud workspace, a Bitbucket Data Center
	// project, or a configured Gerrit group.
	IsOrgMember(ctx context.Context, org, user string) (bool, error)
	// IsCollaborator reports whether user may write to repo (owner/name).
	IsCollaborator(ctx context.Context, repo, user string) (bool, error)
}

// Labeler reads and changes a pull request's labels (GitLab labels,
// Gerrit hashtags). Optional: SCMs without labels do not implement it.
type Labeler interface {
	Labels(ctx context.Context, target event.Target) ([]string, error)
	AddLabel(ctx context.Context, target event.Target, label string) error
	// RemoveLabel removes label; removing a label that is not there is
	// not an error.
	RemoveLabel(ctx context.Context, target event.Target, label string) error
}

// CommentEditor lists a pull request's comments and edits or deletes
// fresnel's own, so that a notification is kept up to date in place
// rather than posted again. Optional.
type CommentEditor interface {
	ListComments(ctx context.Context, target event.Target) ([]event.Comment, error)
	EditComment(ctx context.Context, target event.Target, id, body string) error
	DeleteComment(ctx context.Context, target event.Target, id string) error
}

// Assigner changes whom a pull request is assigned to (GitHub and GitLab
// assignees). Optional.
type Assigner interface {
	Assign(ctx context.Context, target event.Target, users []string) error
	// Unassign removes users; removing one who is not assigned is not an
	// error.
	Unassign(ctx context.Context, target event.Target, users []string) error
}

// ReviewRequester asks people to review a pull request, or stops asking
// (GitHub review requests, GitLab reviewers, Bitbucket reviewers,
// Gerrit reviewers). Optional.
type ReviewRequester interface {
	RequestReview(ctx context.Context, target event.Target, users []string) error
	UnrequestReview(ctx context.Context, target event.Target, users []string) error
}

// PullRequestCloser closes a pull request without merging it, and reopens
// a closed one. Optional.
type PullRequestCloser interface {
	ClosePullRequest(ctx context.Context, target event.Target) error
	ReopenPullRequest(ctx context.Context, target event.Target) error
}

// Voter votes value on a review label of a change's revision (Gerrit's
// Code-Review), with a message. Optional.
type Voter interface {
	Vote(ctx context.Context, ref event.CommitRef, label string, value int, message string) error
}

// AdminChecker reports whether user administers repo (GitHub admin
// permission, GitLab Maintainer or Owner). Optional: /override needs it.
type AdminChecker interface {
	IsRepoAdmin(ctx context.Context, repo, user string) (bool, error)
}

// LineCounter reads how many lines a pull request adds and deletes.
// Optional: the size plugin needs it.
type LineCounter interface {
	ChangedLines(ctx context.Context, target event.Target) (additions, deletions int, err error)
}

// ContributionCounter counts the pull requests user has opened in repo,
// in any state, the one being handled included. Optional: the welcome
// plugin needs it to recognize a first contribution.
type ContributionCounter interface {
	PullRequestCount(ctx context.Context, repo, user string) (int, error)
}

// VoteReader reads the votes on a review label of a change (Gerrit's
// Code-Review), by voter login. Optional: approve counts them.
type VoteReader interface {
	Votes(ctx context.Context, target event.Target, label string) (map[string]int, error)
}

// Mentioner writes the text that mentions user in a comment, where the
// SCM's syntax is not "@login" (Bitbucket Cloud: "@{account id}").
// Optional.
type Mentioner interface {
	Mention(user string) string
}

// TreeReader reads the hash of the tree a commit points at, so that a push
// which leaves the files as they were (a rebase, a reworded or squashed
// commit) can be told from one that changes them. Optional: lgtm's
// store_tree_hash needs it.
type TreeReader interface {
	TreeHash(ctx context.Context, repo, sha string) (string, error)
}

// TeamChecker reports whether user is an active member of a team of org
// (a GitHub team, by its slug). Optional: lgtm's sticky_lgtm_team needs it.
type TeamChecker interface {
	IsTeamMember(ctx context.Context, org, team, user string) (bool, error)
}

// Check is one run's result as a check (GitHub check runs): a Status with
// more to say, kept up to date in place as the run goes on.
type Check struct {
	Status
	// Job is the job's name: a re-run asked for on the check starts it.
	Job string
	// Started says the run is under way; a pending check that has not
	// started is queued.
	Started bool
	// Cancelled says the run was stopped before it finished.
	Cancelled bool
	// FailedStep names the step that failed ("task/step"), when one did
	// and it is known.
	FailedStep string
}

// Checker reports runs as checks rather than commit statuses. Optional:
// the reporter uses it in place of StatusReporter when an instance has it.
type Checker interface {
	// SetCheck creates the check of a run on ref when id is "", or updates
	// the check id, and returns the check's id.
	SetCheck(ctx context.Context, ref event.CommitRef, id string, c Check) (string, error)
}

// CheckFinder finds the check a run already has on a commit, made by a
// controller killed before it recorded the check's id, so that the
// controller taking over updates that check rather than making a second.
// Optional.
type CheckFinder interface {
	// FindCheck returns the id of the newest check named context of job on
	// ref's commit begun at since or later, "" when there is none.
	FindCheck(ctx context.Context, ref event.CommitRef, context, job string, since time.Time) (string, error)
}

// SkipReporter marks the context of a job that did not need to run on a
// commit (its changed-file rules matched nothing) as passed, so that a
// branch protection requiring that context does not wait for it forever.
// Optional.
type SkipReporter interface {
	SetSkipped(ctx context.Context, ref event.CommitRef, context, job, why string) error
}

// Redeliverer asks the SCM to send again the deliveries to fresnel's hook
// that failed, so that events lost while the cluster could not take runs
// arrive once more (GitHub's hook deliveries API, GitLab's hook events).
// Optional: catch-up after an outage uses it where the SCM has it.
type Redeliverer interface {
	// Redeliver asks for every delivery about repo to the hook fresnel
	// serves at hookPath ("/hook/github/main") that failed at or after
	// since and did not succeed on a later attempt, and returns how many
	// it asked for. An SCM version without the API returns an error
	// wrapping ErrNotFound.
	Redeliver(ctx context.Context, repo, hookPath string, since time.Time) (int, error)
}

// OpenPullRequestLister lists a repository's open pull requests updated
// at or after since, each as the pull_request event of a push to it
// (action synchronize, no delivery id), so that a reconcile can select
// jobs for a head commit whose delivery was lost. Optional; it reads at
// most a bounded number of pages.
type OpenPullRequestLister interface {
	OpenPullRequests(ctx context.Context, repo string, since time.Time) ([]event.Event, error)
}

// Verdict is the result of every job run on one commit, reported at once
// when the last of them has finished.
type Verdict struct {
	// State is success when every job passed, failure otherwise.
	State State
	// Jobs holds the latest result of each job on the commit, sorted by
	// context.
	Jobs []Status
}

// VerdictReporter reports one verdict per commit instead of one report per
// run state (Gerrit: one review message with the vote per patch set).
// Optional: the reporter uses it in place of StatusReporter when an
// instance has it, and calls it once per new set of final results.
type VerdictReporter interface {
	SetVerdict(ctx context.Context, ref event.CommitRef, v Verdict) error
}

// VerdictReader tells whether the SCM already shows a verdict on a commit,
// so that a controller taking over does not send again a verdict its
// predecessor sent. Optional.
type VerdictReader interface {
	VerdictShown(ctx context.Context, ref event.CommitRef, v Verdict) (bool, error)
}
