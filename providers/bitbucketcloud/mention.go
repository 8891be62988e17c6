package bitbucketcloud

import (
	"strings"

	"github.com/fresnel-ci/fresnel/providers"
)

var _ providers.Mentioner = (*Provider)(nil)

// Mention mentions user in a comment. fresnel names Bitbucket Cloud users
// by account id ("557058:0b1c..."), which Bitbucket's markup mentions as
// @{account id}; a plain nickname stays @nickname.
func (p *Provider) Mention(user string) string {
	if strings.Contains(user, ":") || strings.HasPrefix(user, "{") {
		return "@{" + strings.Trim(user, "{}") + "}"
	}
	return "@" + user
}
