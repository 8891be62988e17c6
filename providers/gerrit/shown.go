package gerrit

import (
	"context"
	"fmt"
	"strings"

	gogerrit "github.com/andygrunwald/go-gerrit"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

var _ providers.VerdictReader = (*Provider)(nil)

// VerdictShown reads the change's messages and revisions (GET
// /a/changes/{project~number}?o=MESSAGES&o=ALL_REVISIONS) and reports
// whether fresnel's newest review message on revision ref.SHA is verdict
// v's (Gerrit puts "Patch Set N: Verified+1" before it).
func (p *Provider) VerdictShown(ctx context.Context, ref event.CommitRef, v providers.Verdict) (bool, error) {
	if ref.Number <= 0 || ref.SHA == "" {
		return false, nil
	}
	opts := &gogerrit.ChangeOptions{AdditionalFields: []string{"MESSAGES", "ALL_REVISIONS"}}
	info, _, err := p.client.Changes.GetChange(ctx, changeID(ref.Repo, ref.Number), opts)
	if err != nil {
		return false, fmt.Errorf("provider/gerrit: read change %s#%d: %w", ref.Repo, ref.Number, err)
	}
	rev, ok := info.Revisions[ref.SHA]
	if !ok {
		return false, nil
	}
	for i := len(info.Messages) - 1; i >= 0; i-- {
		if m := info.Messages[i]; m.Tag == reviewTag && m.RevisionNumber == rev.Number {
			return strings.Contains(m.Message, verdictMessage(v)), nil
		}
	}
	return false, nil
}
