// Package all registers every provider kind; import it for its side effect.
package all

import (
	_ "github.com/fresnel-ci/fresnel/providers/bitbucketcloud"  // bitbucketcloud
	_ "github.com/fresnel-ci/fresnel/providers/bitbucketserver" // bitbucketserver
	_ "github.com/fresnel-ci/fresnel/providers/gerrit"          // gerrit
	_ "github.com/fresnel-ci/fresnel/providers/github"          // github
	_ "github.com/fresnel-ci/fresnel/providers/gitlab"          // gitlab
)
