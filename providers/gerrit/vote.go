package gerrit

import (
	"cmp"
	"context"
	"fmt"

	gogerrit "github.com/andygrunwald/go-gerrit"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

var _ providers.Voter = (*Provider)(nil)

// Vote votes value on label (Code-Review for /lgtm) of a change's
// revision, with message, as fresnel's account: POST
// /a/changes/{project~number}/revisions/{sha}/review. Without a known
// revision it votes on the current one. Gerrit refuses a label the
// project does not define, or a value outside its range, with 400.
func (p *Provider) Vote(ctx context.Context, ref event.CommitRef, label string, value int, message string) error {
	if ref.Number <= 0 {
		return fmt.Errorf("provider/gerrit: vote %s on %s: no change", label, ref.Repo)
	}
	ref.SHA = cmp.Or(ref.SHA, "current")
	in := &gogerrit.ReviewInput{Message: message, Tag: reviewTag, Labels: map[string]int{label: value}}
	if _, err := p.review(ctx, ref, in); err != nil {
		return fmt.Errorf("provider/gerrit: vote %s%+d on %s#%d@%s: %w", label, value, ref.Repo, ref.Number, ref.SHA, err)
	}
	return nil
}
