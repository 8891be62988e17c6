package bitbucketcloud

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

var testSecret = []byte("topsecret")

// goSCMHeader gives go-scm's samples, by the start of the file name, their
// X-Event-Key.
var goSCMHeader = providertest.ByPrefix("X-Event-Key", "X-Request-UUID", [][2]string{
	{"push", "repo:push"},
	{"pr_created", "pullrequest:created"},
	{"pr_updated", "pullrequest:updated"},
	{"pr_fulfilled", "pullrequest:fulfilled"},
	{"pr_declined", "pullrequest:rejected"},
})

// payloads are go-scm's samples and the vendor samples; the latter have
// no X-Request-UUID, so their delivery id is the body's hash.
func payloads(t testing.TB) []providertest.Payload {
	return append(providertest.GoSCM(t, "bitbucket", goSCMHeader), providertest.SharedEvents(t, "bitbucket-cloud", "X-Event-Key")...)
}

func newTestProvider(t testing.TB, url string) *Provider {
	p, err := New(Options{Secret: testSecret, URL: url, Token: "bb-token"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseGolden(t *testing.T) {
	providertest.GoldenSuite(t, newTestProvider(t, ""), payloads(t))
}

// TestParseNeverCallsAPI: with a client, go-scm would resolve the 12
// character pull request hashes through the API while parsing.
func TestParseNeverCallsAPI(t *testing.T) {
	p := newTestProvider(t, providertest.Unreachable(t))
	for _, payload := range payloads(t) {
		providertest.Parse(t, p, payload)
	}
}

func TestParseErrors(t *testing.T) {
	providertest.ParseErrors(t, newTestProvider(t, ""), "X-Event-Key", []providertest.ParseErrorCase{
		{Name: "missing event key", Body: `{}`, Status: http.StatusBadRequest},
		{Name: "unknown event key", Event: "repo:fork", Body: `{}`, Status: http.StatusOK, Err: `ignored: event "repo:fork" is not handled`},
		{Name: "malformed JSON push", Event: "repo:push", Body: `{"push":`, Status: http.StatusBadRequest},
		{Name: "malformed JSON update", Event: "pullrequest:updated", Body: `[1,2`, Status: http.StatusBadRequest},
		{Name: "wrong types", Event: "pullrequest:updated", Body: `{"pullrequest":{"id":"one"}}`, Status: http.StatusBadRequest},
		{Name: "push without changes", Event: "repo:push", Body: `{"push":{"changes":[]}}`, Status: http.StatusBadRequest},
		{Name: "pull request without a hash", Event: "pullrequest:created", Body: `{"repository":{"full_name":"o/r"},"pullrequest":{"id":1,"destination":{"branch":{"name":"main"}}}}`, Status: http.StatusBadRequest},
	})
}

func TestVerify(t *testing.T) {
	body := []byte(`{"push":{"changes":[]}}`)
	providertest.VerifyTable(t, newTestProvider(t, ""), body, []providertest.VerifyCase{
		{Name: "valid", Header: map[string]string{"X-Hub-Signature": providers.SignSHA256(testSecret, body)}},
		{Name: "wrong secret", Header: map[string]string{"X-Hub-Signature": providers.SignSHA256([]byte("other"), body)}, WantErr: true},
		{Name: "missing", WantErr: true},
		{Name: "malformed", Header: map[string]string{"X-Hub-Signature": "sha256=zz"}, WantErr: true},
		{Name: "no algorithm", Header: map[string]string{"X-Hub-Signature": strings.TrimPrefix(providers.SignSHA256(testSecret, body), "sha256=")}, WantErr: true},
		{Name: "sha1 refused", Header: map[string]string{"X-Hub-Signature": "sha1=0000000000000000000000000000000000000000"}, WantErr: true},
	})
}
