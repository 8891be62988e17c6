package gerrit

// Labels are Gerrit hashtags: Gerrit's own labels are votes (Code-Review,
// Verified), which fresnel reports through SetStatus.

import (
	"context"
	"fmt"

	gogerrit "github.com/andygrunwald/go-gerrit"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// Labels lists a change's hashtags: GET /a/changes/{project~number}/hashtags.
func (p *Provider) Labels(ctx context.Context, target event.Target) ([]string, error) {
	tags, _, err := p.client.Changes.GetHashtags(ctx, changeID(target.Repo, target.Number))
	if err != nil {
		return nil, fmt.Errorf("provider/gerrit: read hashtags of %s~%d: %w", target.Repo, target.Number, err)
	}
	return tags, nil
}

// AddLabel adds a hashtag: POST .../hashtags with {"add": [label]}.
func (p *Provider) AddLabel(ctx context.Context, target event.Target, label string) error {
	return p.setHashtags(ctx, target, label, &gogerrit.HashtagsInput{Add: []string{label}})
}

// RemoveLabel removes a hashtag: POST .../hashtags with {"remove":
// [label]}; Gerrit ignores a hashtag the change does not have.
func (p *Provider) RemoveLabel(ctx context.Context, target event.Target, label string) error {
	return p.setHashtags(ctx, target, label, &gogerrit.HashtagsInput{Remove: []string{label}})
}

// setHashtags sends in, which adds or removes label. Gerrit refuses a
// hashtag with a comma; fresnel refuses an empty one before asking.
func (p *Provider) setHashtags(ctx context.Context, target event.Target, label string, in *gogerrit.HashtagsInput) error {
	if label == "" {
		return fmt.Errorf("provider/gerrit: change hashtags of %s~%d: empty hashtag", target.Repo, target.Number)
	}
	if _, _, err := p.client.Changes.SetHashtags(ctx, changeID(target.Repo, target.Number), in); err != nil {
		return fmt.Errorf("provider/gerrit: change hashtag %q of %s~%d: %w", label, target.Repo, target.Number, err)
	}
	return nil
}
