package gerrit

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

var _ providers.VoteReader = (*Provider)(nil)

// Votes reads who voted what on label of a change (GET
// /a/changes/{project~number}/detail, the label's "all" list), by login
// as events name accounts: user name, else email. A voter who has not
// voted (value 0) is left out.
func (p *Provider) Votes(ctx context.Context, target event.Target, label string) (map[string]int, error) {
	info, _, err := p.client.Changes.GetChangeDetail(ctx, changeID(target.Repo, target.Number), nil)
	if err != nil {
		return nil, fmt.Errorf("provider/gerrit: votes on %s of %s#%d: %w", label, target.Repo, target.Number, err)
	}
	votes := map[string]int{}
	for _, a := range info.Labels[label].All {
		login := a.Username
		if login == "" {
			login = a.Email
		}
		if login != "" && a.Value != 0 {
			votes[login] = a.Value
		}
	}
	return votes, nil
}

// ReadFile reads the file at path of project repo at ref, a commit (GET
// /a/projects/{project}/commits/{sha}/files/{path}/content) or a branch
// (.../branches/{name}/files/...), as base64 text. Change events carry
// no base commit, so approve reads OWNERS files on the target branch.
// The call is ours: go-gerrit v1.2.0's GetContent cannot decode the
// answer. Gerrit has no directory listing, so the provider is no
// providers.ContentReader; approve needs only this.
func (p *Provider) ReadFile(ctx context.Context, repo, path, ref string) ([]byte, error) {
	kind := "branches"
	if isCommit(ref) {
		kind = "commits"
	}
	u := fmt.Sprintf("projects/%s/%s/%s/files/%s/content", url.PathEscape(repo), kind, url.PathEscape(ref), url.PathEscape(path))
	req, err := p.client.NewRequest(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("provider/gerrit: read %s at %s@%s: %w", path, repo, ref, err)
	}
	var raw bytes.Buffer
	resp, err := p.client.Do(req, &raw)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("provider/gerrit: read %s at %s@%s: %w", path, repo, ref, providers.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("provider/gerrit: read %s at %s@%s: %w", path, repo, ref, err)
	}
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(raw.String()))
	if err != nil {
		return nil, fmt.Errorf("provider/gerrit: read %s at %s@%s: not base64: %w", path, repo, ref, err)
	}
	return data, nil
}

// isCommit says whether ref is a full commit SHA rather than a branch.
func isCommit(ref string) bool {
	if len(ref) != 40 {
		return false
	}
	return strings.Trim(ref, "0123456789abcdef") == ""
}
