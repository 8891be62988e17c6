package bitbucketserver

import (
	"cmp"
	"fmt"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/scmhook"
)

// convert maps a go-scm hook onto an event and puts back what go-scm
// drops. go-scm returns a tag hook for every tag push and a branch hook
// for a deleted branch; both become push events.
func convert(hook scm.Webhook, fields payload) (event.Event, error) {
	ev, ok := scmhook.FromRefHook(hook)
	if !ok {
		var err error
		if ev, err = scmhook.Convert(hook); err != nil {
			return ev, err
		}
	}
	// Payloads carry no default branch; go-scm says "master".
	ev.Repo.DefaultBranch = ""
	switch {
	case ev.IsPullRequest():
		ev.PullRef = fmt.Sprintf("refs/pull-requests/%d/from", ev.Number)
		ev.Draft = fields.PullRequest != nil && fields.PullRequest.Draft
	case ev.Kind == event.KindPush && len(fields.Changes) > 0:
		ev.BaseSHA = cmp.Or(ev.BaseSHA, fields.Changes[0].FromHash)
	}
	ev.FilesUnlisted = ev.Kind == event.KindPush && !ev.Deleted
	return ev, scmhook.Validate(ev)
}
