// Package welcome is the welcome plugin: a comment greets the author of a
// pull request who has not opened one in the repository before.
package welcome

import (
	"context"
	"fmt"
	"strings"
	"text/template"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// DefaultTemplate is the greeting when plugins.yaml sets none.
const DefaultTemplate = "Welcome {{.AuthorMention}}! This looks like your first pull request to {{.Org}}/{{.Repo}}. Thank you for it."

func init() {
	plugins.Register(plugins.Plugin{
		Name:        "welcome",
		Description: "Greets the author of a first pull request to a repository.",
		Config:      "welcome",
		OnEvent:     onEvent,
	})
}

// Data is what message_template sees.
type Data struct {
	// AuthorLogin and AuthorName are the author's login (the SCM's
	// display name is not read; both hold the login).
	AuthorLogin, AuthorName string
	// AuthorMention mentions the author as the SCM writes mentions
	// ("@login" on most, "@{account id}" on Bitbucket Cloud).
	AuthorMention string
	// Org is the owner (a GitLab group path), Repo the repository's name.
	Org, Repo string
	Number    int
	URL       string
}

func onEvent(ctx context.Context, a *plugins.Agent) ([]string, error) {
	ev := a.Event
	if ev.Kind != event.KindPullRequest || ev.Action != event.ActionOpened || ev.Author == "" {
		return nil, nil
	}
	cfg, _ := triggers.ForRepo(a.Config.Welcome, func(s triggers.WelcomeSettings) []string { return s.Repos }, ev.Repo.FullName)
	if _, ok := a.SCM.(providers.ContributionCounter); !ok && !cfg.AlwaysPost {
		return []string{"skipped: " + ev.Provider + " cannot count an author's pull requests; set always_post"}, nil
	}
	first, err := cfg.AlwaysPost, error(nil)
	if !first {
		if first, err = isFirst(ctx, a); err != nil {
			return nil, err
		}
	}
	if !first {
		return nil, nil
	}
	body, err := Message(cfg.MessageTemplate, ev, a.Mention(ev.Author))
	if err != nil {
		return nil, err
	}
	return []string{"welcomed @" + ev.Author}, a.Comment(ctx, body)
}

// isFirst asks the SCM whether the pull request is its author's first
// in the repository.
func isFirst(ctx context.Context, a *plugins.Agent) (bool, error) {
	counter := a.SCM.(providers.ContributionCounter)
	n, err := counter.PullRequestCount(ctx, a.Event.Repo.FullName, a.Event.Author)
	if err != nil {
		return false, fmt.Errorf("welcome: %w", err)
	}
	return n <= 1, nil
}

// Message renders tmpl (DefaultTemplate when empty) for ev's pull
// request; mention is how the SCM mentions its author.
func Message(tmpl string, ev event.Event, mention string) (string, error) {
	if strings.TrimSpace(tmpl) == "" {
		tmpl = DefaultTemplate
	}
	t, err := template.New("welcome").Option("missingkey=error").Parse(tmpl)
	if err != nil {
		return "", fmt.Errorf("welcome: message_template: %w", err)
	}
	var b strings.Builder
	data := Data{AuthorLogin: ev.Author, AuthorName: ev.Author, AuthorMention: mention, Org: ev.Repo.Owner, Repo: ev.Repo.Name, Number: ev.Number, URL: ev.Link}
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("welcome: message_template: %w", err)
	}
	return b.String(), nil
}
