package gerrit

import (
	"context"

	gogerrit "github.com/andygrunwald/go-gerrit"

	"github.com/fresnel-ci/fresnel/providers"
)

// withCurrentPatchSet gives a change-restored event that carries no patch
// set the change's current one, read from the REST API (GET
// /a/changes/{project~number}?o=CURRENT_REVISION), so the restored change
// is reopened on the commit it has now. When the change cannot be read
// the event is Ignored with the reason: it never runs with no commit.
func (p *Provider) withCurrentPatchSet(ctx context.Context, m *message) error {
	if m.Type != "change-restored" || m.PatchSet != nil || m.Change == nil {
		return nil
	}
	project := string(m.Change.Project)
	if project == "" {
		project = string(m.Project)
	}
	if project == "" || m.Change.Number <= 0 {
		return providers.BadPayload("change-restored event without change project and number")
	}
	ps, err := p.currentPatchSet(ctx, project, int(m.Change.Number))
	if err != nil {
		return providers.Ignore("change-restored event without patchSet, and the current revision of %s~%d cannot be read: %v", project, m.Change.Number, err)
	}
	m.PatchSet = ps
	return nil
}

// currentPatchSet reads a change's current revision and its fetch ref.
func (p *Provider) currentPatchSet(ctx context.Context, project string, num int) (*patchSet, error) {
	opts := &gogerrit.ChangeOptions{AdditionalFields: []string{"CURRENT_REVISION"}}
	info, _, err := p.client.Changes.GetChange(ctx, changeID(project, num), opts)
	if err != nil {
		return nil, err
	}
	rev, ok := info.Revisions[info.CurrentRevision]
	if info.CurrentRevision == "" || !ok || rev.Ref == "" {
		return nil, providers.BadPayload("the change names no current revision with a ref")
	}
	return &patchSet{Number: number(rev.Number), Revision: info.CurrentRevision, Ref: rev.Ref}, nil
}
