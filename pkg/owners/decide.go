package owners

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// Request is what the approve plugin knows of a pull request.
type Request struct {
	// Files are the changed files, as the SCM lists them.
	Files []string
	// Author is the pull request's author.
	Author string
	// ApprovedBy are the logins whose /approve stands, oldest first.
	ApprovedBy []string
	// Assignees are the pull request's assignees; suggestions prefer
	// those who can approve.
	Assignees []string
	// RequireSelfApproval stops the author from approving implicitly
	// (plugins.yaml approve: require_self_approval); the author is then
	// treated as an assignee, as Prow treats them.
	RequireSelfApproval bool
	// Seed picks among equally good suggestions; Prow uses the pull
	// request number.
	Seed int64
}

// Decision is the approve plugin's answer.
type Decision struct {
	Approved bool `json:"approved"`
	// UnapprovedFiles are the OWNERS files (their paths) whose approval
	// is still missing, as Prow lists them.
	UnapprovedFiles []string `json:"unapproved_files"`
	// Approvers lists, for each changed file, everyone who may approve it.
	Approvers map[string][]string `json:"approvers"`
	// SuggestedApprovers are whom to ask so that every OWNERS file is
	// approved.
	SuggestedApprovers []string `json:"suggested_approvers"`
}

// Decide says whether the change in req is approved under tree.
func Decide(tree *Tree, req Request) (Decision, error) {
	if tree == nil {
		return Decision{}, errors.New("owners: decide: no OWNERS tree")
	}
	if err := validatePaths(req.Files); err != nil {
		return Decision{}, err
	}
	c := newChange(tree, req.Files)
	current, assignees := approvalsOf(req)
	d := Decision{
		Approved:           c.approved(current),
		UnapprovedFiles:    []string{},
		Approvers:          map[string][]string{},
		SuggestedApprovers: c.suggest(current, assignees, req.Seed),
	}
	for _, dir := range c.unapproved(current).sorted() {
		d.UnapprovedFiles = append(d.UnapprovedFiles, ownersPath(dir))
	}
	for _, f := range req.Files {
		d.Approvers[f] = c.all[f].sorted()
	}
	return d, nil
}

// approvalsOf returns who has approved (lower case) and who is assigned.
func approvalsOf(req Request) (approved, assignees set) {
	approved, assignees = set{}, set{}
	for _, a := range req.Assignees {
		assignees.add(normLogin(a))
	}
	if req.Author != "" {
		if req.RequireSelfApproval {
			assignees.add(normLogin(req.Author))
		} else {
			approved.add(normLogin(req.Author))
		}
	}
	for _, login := range req.ApprovedBy {
		if login != "" {
			approved.add(normLogin(login))
		}
	}
	return approved, assignees
}

// validatePaths refuses paths no SCM lists for a change: empty, absolute,
// not clean, or leaving the repository.
func validatePaths(files []string) error {
	for _, f := range files {
		if f == "" || strings.HasPrefix(f, "/") || path.Clean(f) != f || f == "." || f == ".." || strings.HasPrefix(f, "../") {
			return fmt.Errorf("owners: changed file %q: not a clean path inside the repository", f)
		}
	}
	return nil
}
