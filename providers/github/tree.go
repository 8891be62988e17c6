package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

var _ providers.TreeReader = (*Provider)(nil)

// TreeHash reads the tree a commit points at (GET
// /repos/{repo}/git/commits/{sha}, field tree.sha).
func (p *Provider) TreeHash(ctx context.Context, repo, sha string) (string, error) {
	if sha == "" {
		return "", fmt.Errorf("provider/github: tree of a commit in %s: no commit given", repo)
	}
	var commit struct {
		Tree struct {
			SHA string `json:"sha"`
		} `json:"tree"`
	}
	path := fmt.Sprintf("repos/%s/git/commits/%s", repo, url.PathEscape(sha))
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodGet, path, nil, &commit); err != nil {
		return "", fmt.Errorf("provider/github: tree of %s@%s: %w", repo, sha, err)
	}
	if commit.Tree.SHA == "" {
		return "", fmt.Errorf("provider/github: tree of %s@%s: the answer has no tree.sha", repo, sha)
	}
	return commit.Tree.SHA, nil
}
