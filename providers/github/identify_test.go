package github

import (
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func TestIdentify(t *testing.T) {
	providertest.IdentifySuite(t, newTestProvider(t), payloads(t), "X-GitHub-Event", "X-GitHub-Delivery")
}
