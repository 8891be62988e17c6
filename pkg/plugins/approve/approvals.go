package approve

import (
	"slices"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
)

// Approvals are the approvals a pull request's comments hold, read from
// them in order as Prow reads them: an /approve adds its author, an
// /approve cancel removes them again.
type Approvals struct {
	// By are the logins whose approval stands, in the order given.
	By []string
	// NoIssue says an approval that stands was /approve no-issue.
	NoIssue bool
}

// ReadApprovals reads the approvals of comments, oldest first.
// lgtmApproves makes /lgtm approve and /lgtm cancel withdraw, as
// plugins.yaml's lgtm_acts_as_approve asks. fresnel's own notification
// (found by its Marker) is skipped.
func ReadApprovals(comments []event.Comment, lgtmApproves bool) Approvals {
	noIssue := map[string]bool{}
	var by []string
	for _, c := range comments {
		if strings.Contains(c.Body, Marker) || c.Author == "" {
			continue
		}
		for _, line := range plugins.ParseLines(c.Body) {
			switch verdict(line, lgtmApproves) {
			case approves:
				by = withLogin(by, c.Author)
				noIssue[strings.ToLower(c.Author)] = strings.EqualFold(line.Args, "no-issue")
			case withdraws:
				by = withoutLogin(by, c.Author)
			}
		}
	}
	out := Approvals{By: by}
	for _, login := range by {
		out.NoIssue = out.NoIssue || noIssue[strings.ToLower(login)]
	}
	return out
}

type lineVerdict int

const (
	irrelevant lineVerdict = iota
	approves
	withdraws
)

// verdict says what one command line does to its author's approval.
func verdict(line plugins.Line, lgtmApproves bool) lineVerdict {
	args := strings.ToLower(line.Args)
	switch {
	case line.Name == "approve" && (args == "" || args == "no-issue"):
		return approves
	case line.Name == "approve" && args == "cancel":
		return withdraws
	case line.Name == "remove-approve" && args == "":
		return withdraws
	case !lgtmApproves:
		return irrelevant
	case line.Name == "lgtm" && (args == "" || args == "no-issue"):
		return approves
	case line.Name == "lgtm" && args == "cancel", line.Name == "remove-lgtm" && args == "":
		return withdraws
	}
	return irrelevant
}

// mentionsApproval says whether body holds a line that changes an
// approval, so that only such comments make the plugin read anything.
func mentionsApproval(body string, lgtmApproves bool) bool {
	for _, line := range plugins.ParseLines(body) {
		if verdict(line, lgtmApproves) != irrelevant {
			return true
		}
	}
	return false
}

func withLogin(list []string, login string) []string {
	if slices.ContainsFunc(list, func(l string) bool { return strings.EqualFold(l, login) }) {
		return list
	}
	return append(list, login)
}

func withoutLogin(list []string, login string) []string {
	return slices.DeleteFunc(list, func(l string) bool { return strings.EqualFold(l, login) })
}
