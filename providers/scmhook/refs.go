package scmhook

import (
	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// FromRefHook maps the branch and tag hooks some go-scm drivers return
// for a push that created or deleted a ref (GitLab and Bitbucket for a
// deleted branch or tag, Bitbucket Data Center for every tag) onto the
// push event GitHub sends for the same thing. It reports false for any
// other hook.
func FromRefHook(hook scm.Webhook) (event.Event, bool) {
	switch h := hook.(type) {
	case *scm.BranchHook:
		return fromRef(h.Action, h.Ref, "refs/heads/", h.Repo, h.Sender), true
	case *scm.TagHook:
		ev := fromRef(h.Action, h.Ref, "refs/tags/", h.Repo, h.Sender)
		ev.Tag = true
		return ev, true
	}
	return event.Event{}, false
}

func fromRef(action scm.Action, ref scm.Reference, prefix string, r scm.Repository, sender scm.User) event.Event {
	name := scm.TrimRef(ref.Name)
	ev := event.Event{Kind: event.KindPush, Repo: repo(r), BaseRef: name, Author: sender.Login}
	if name != "" {
		ev.Ref = prefix + name
	}
	if action == scm.ActionDelete || event.IsZeroSHA(ref.Sha) {
		ev.Deleted = true
		ev.BaseSHA = ref.Sha
		return ev
	}
	ev.HeadSHA = ref.Sha
	return ev
}
