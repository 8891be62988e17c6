package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/jenkins-x/go-scm/scm"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// Labels lists a pull request's labels, every page of them (GET
// /repos/{repo}/issues/{number}/labels).
func (p *Provider) Labels(ctx context.Context, target event.Target) ([]string, error) {
	labels, err := scmclient.AllPages(func(opts *scm.ListOptions) ([]*scm.Label, *scm.Response, error) {
		return p.SCM.Issues.ListLabels(ctx, target.Repo, target.Number, opts)
	})
	if err != nil {
		return nil, fmt.Errorf("provider/github: list labels of %s#%d: %w", target.Repo, target.Number, err)
	}
	names := make([]string, 0, len(labels))
	for _, l := range labels {
		names = append(names, l.Name)
	}
	return names, nil
}

// AddLabel adds a label (POST .../issues/{number}/labels with ["label"]).
// GitHub creates a label the repository does not have yet.
func (p *Provider) AddLabel(ctx context.Context, target event.Target, label string) error {
	if _, err := p.SCM.Issues.AddLabel(ctx, target.Repo, target.Number, label); err != nil {
		return fmt.Errorf("provider/github: add label %q to %s#%d: %w", label, target.Repo, target.Number, err)
	}
	return nil
}

// RemoveLabel removes a label (DELETE .../issues/{number}/labels/{label});
// GitHub's 404 for a label the pull request does not have is no error.
// The call is ours: go-scm puts the label in the path unescaped, which
// breaks labels such as "do-not-merge/hold".
func (p *Provider) RemoveLabel(ctx context.Context, target event.Target, label string) error {
	path := fmt.Sprintf("repos/%s/issues/%d/labels/%s", target.Repo, target.Number, url.PathEscape(label))
	_, err := scmclient.Do(ctx, p.SCM, http.MethodDelete, path, nil, nil)
	if err != nil && scmclient.StatusOf(err) != http.StatusNotFound {
		return fmt.Errorf("provider/github: remove label %q from %s#%d: %w", label, target.Repo, target.Number, err)
	}
	return nil
}
