package dispatch

import (
	"fmt"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/trust"
	"github.com/fresnel-ci/fresnel/providers"
)

// The SCM side of trust decisions: labels and comments. A failure to
// label or comment becomes a warning of the event; it never starts jobs.

// notice is the comment an untrusted pull request gets.
func (g *gate) notice() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Thanks for your pull request, @%s.\n\n", g.ev.Author)
	fmt.Fprintf(&b, "Jobs do not start on their own for it: %s.\n\n", g.whoMay())
	if g.settings.IgnoreOkToTest {
		b.WriteString("In this repository `/ok-to-test` is turned off (ignore_ok_to_test): a trusted user can still run the jobs with `/test`, for each commit.\n")
	} else {
		fmt.Fprintf(&b, "Once a trusted user has looked at the change, they can comment `/ok-to-test` (on a line of its own); from then on its jobs run, for new commits too. ")
		if g.labels() {
			fmt.Fprintf(&b, "Until then it keeps the `%s` label.", trust.NeedsOkToTest)
		}
		b.WriteString("\n")
	}
	if url := g.settings.JoinOrgURL; url != "" {
		fmt.Fprintf(&b, "\nTo become a member, see %s.\n", url)
	}
	return b.String()
}

// whoMay says who is trusted to start jobs in the repository.
func (g *gate) whoMay() string {
	org := trust.Org(g.ev.Repo.FullName)
	who := "members of " + org
	if t := g.settings.TrustedOrg; t != "" && t != org {
		who += " or of " + t
	}
	if !g.settings.OnlyOrgMembers {
		who += " and collaborators on " + g.ev.Repo.FullName
	}
	return "only " + who + " can start jobs here"
}

func containsMarker(body string) bool { return strings.Contains(body, noticeMarker) }

// labels reports whether the SCM has labels.
func (g *gate) labels() bool {
	_, ok := g.in.Intake.(providers.Labeler)
	return ok
}

// addLabel adds a label where the SCM has labels; it reports success.
func (g *gate) addLabel(label string) bool {
	l, ok := g.in.Intake.(providers.Labeler)
	if !ok {
		return false
	}
	if err := l.AddLabel(g.ctx, g.target(), label); err != nil {
		g.adm.warnings = append(g.adm.warnings, fmt.Sprintf("trust: cannot add the %s label: %v", label, err))
		return false
	}
	g.adm.actions = append(g.adm.actions, "added the "+label+" label")
	return true
}

// removeLabel takes a label off where the SCM has labels.
func (g *gate) removeLabel(label string) {
	l, ok := g.in.Intake.(providers.Labeler)
	if !ok {
		return
	}
	if err := l.RemoveLabel(g.ctx, g.target(), label); err != nil {
		g.adm.warnings = append(g.adm.warnings, fmt.Sprintf("trust: cannot remove the %s label: %v", label, err))
		return
	}
	g.adm.actions = append(g.adm.actions, "removed the "+label+" label")
}

// comment posts a comment on the pull request.
func (g *gate) comment(body string) {
	if g.quiet {
		g.adm.redelivered = append(g.adm.redelivered, "trust comment not posted again: delivery "+g.ev.Delivery+" posted it")
		return
	}
	c, ok := g.in.Intake.(providers.Commenter)
	if !ok {
		g.adm.warnings = append(g.adm.warnings, fmt.Sprintf("trust: %s cannot comment, so no one is told why", g.in.Kind))
		return
	}
	if _, err := c.Comment(g.ctx, g.target(), body); err != nil {
		g.adm.warnings = append(g.adm.warnings, "trust: cannot comment: "+err.Error())
		g.adm.unsent = true
		return
	}
	g.adm.actions = append(g.adm.actions, "commented")
}
