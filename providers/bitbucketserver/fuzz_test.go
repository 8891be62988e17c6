package bitbucketserver

import (
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// FuzzParse feeds arbitrary bodies under every handled event key: Parse
// must never panic and must return only typed errors.
func FuzzParse(f *testing.F) {
	providertest.Seeds(f, payloads(f))
	providertest.FuzzEvents(f, newTestProvider(f, "https://bitbucket.example.com"), handledEvents, "X-Event-Key", "X-Request-Id")
}
