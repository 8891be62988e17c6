package approve

import (
	"context"
	"fmt"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/owners"
	"github.com/fresnel-ci/fresnel/providers"
)

// Marker ends the approve plugin's notification comment; it is how the
// comment is found again to be edited, never posted twice.
const Marker = "<!-- fresnel:approve-notification -->"

// state is what the notification says.
type state struct {
	decision owners.Decision
	by       []string
	// issueMissing says the change is approved by OWNERS but lacks the
	// linked issue (or /approve no-issue) issue_required asks for.
	issueMissing bool
	// vote, on an SCM whose approvals are votes and whose messages cannot
	// be edited (Gerrit), is the vote that approves ("Code-Review +2"):
	// the notification then asks for it and is a plain message, posted
	// anew whenever the decision changes.
	vote string
}

func (s state) approved() bool { return s.decision.Approved && !s.issueMissing }

// notification is the text of the notification comment; mention writes
// a mention of a login as the SCM does.
func notification(s state, mention func(string) string) string {
	var b strings.Builder
	if s.approved() {
		b.WriteString("**Approval:** this pull request is **APPROVED**.\n\n")
	} else {
		b.WriteString("**Approval:** this pull request is **NOT APPROVED** yet.\n\n")
	}
	if len(s.by) > 0 {
		fmt.Fprintf(&b, "Approved by: %s.\n\n", mentions(s.by, mention))
	}
	if files := s.decision.UnapprovedFiles; len(files) > 0 {
		b.WriteString("Still to be approved by an approver of each of these OWNERS files:\n")
		for _, f := range files {
			fmt.Fprintf(&b, "- `%s`\n", f)
		}
		b.WriteString("\n")
	}
	if len(s.decision.UnapprovedFiles) > 0 && len(s.decision.SuggestedApprovers) > 0 {
		fmt.Fprintf(&b, "Suggested approvers: %s. %s\n\n", mentions(s.decision.SuggestedApprovers, mention), s.howToApprove())
	}
	if s.issueMissing {
		b.WriteString("This repository asks for a linked issue: reference one in the description, or approve with `/approve no-issue`.\n\n")
	}
	if s.vote != "" {
		b.WriteString("An approval is withdrawn by removing the vote. A new message is posted whenever the decision changes.\n")
		return b.String()
	}
	b.WriteString("An approval is withdrawn with `/approve cancel`. This comment is kept up to date as the pull request changes.\n")
	b.WriteString(Marker)
	return b.String()
}

// howToApprove tells approvers how to approve on the SCM at hand.
func (s state) howToApprove() string {
	if s.vote != "" {
		return "Each approver approves by voting `" + s.vote + "`."
	}
	return "Each approver approves by commenting `/approve`."
}

func mentions(logins []string, mention func(string) string) string {
	out := make([]string, len(logins))
	for i, l := range logins {
		out[i] = mention(l)
	}
	return strings.Join(out, ", ")
}

// notify keeps the one notification comment up to date: edits it when
// its text changed, posts it when there is none, and deletes any copy a
// race between two deliveries may have left. comments are the pull
// request's comments, read already.
func notify(ctx context.Context, scm providers.CommentEditor, c providers.Commenter, target event.Target, comments []event.Comment, body string) ([]string, error) {
	var ours []event.Comment
	for _, cm := range comments {
		if strings.Contains(cm.Body, Marker) {
			ours = append(ours, cm)
		}
	}
	if len(ours) == 0 {
		if _, err := c.Comment(ctx, target, body); err != nil {
			return nil, fmt.Errorf("approve: post notification: %w", err)
		}
		return []string{"posted approval notification"}, nil
	}
	var did []string
	if ours[0].Body != body {
		if err := scm.EditComment(ctx, target, ours[0].ID, body); err != nil {
			return nil, fmt.Errorf("approve: edit notification %s: %w", ours[0].ID, err)
		}
		did = append(did, "updated approval notification")
	}
	for _, extra := range ours[1:] {
		if err := scm.DeleteComment(ctx, target, extra.ID); err != nil {
			return did, fmt.Errorf("approve: delete duplicate notification %s: %w", extra.ID, err)
		}
		did = append(did, "deleted duplicate approval notification")
	}
	return did, nil
}
