package github

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"testing"

	"github.com/fresnel-ci/fresnel/providers/providertest"
)

func sha1Hex(secret, body []byte) string {
	mac := hmac.New(sha1.New, secret)
	mac.Write(body)
	return "sha1=" + hex.EncodeToString(mac.Sum(nil))
}

// FuzzParse feeds arbitrary bodies under every handled event name: Parse
// must never panic and must return only typed errors.
func FuzzParse(f *testing.F) {
	providertest.Seeds(f, payloads(f))
	providertest.FuzzEvents(f, newTestProvider(f), handledEvents, "X-GitHub-Event", "X-GitHub-Delivery")
}
