package bitbucketserver

import (
	"net/http"
	"testing"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// testSecret is the secret the vendor samples are signed with.
var testSecret = []byte("secret")

// goSCMHeader gives go-scm's samples, by the start of the file name, their
// X-Event-Key.
var goSCMHeader = providertest.ByPrefix("X-Event-Key", "X-Request-Id", [][2]string{
	{"push", "repo:refs_changed"},
	{"pr_open", "pr:opened"},
	{"pr_ref_updated", "pr:from_ref_updated"},
	{"pr_modified", "pr:modified"},
	{"pr_merged", "pr:merged"},
	{"pr_declined", "pr:declined"},
	{"pr_deleted", "pr:deleted"},
	{"pr_comment", "pr:comment:added"},
	{"pr_approved", "pr:reviewer:approved"},
	{"pr_unapproved", "pr:reviewer:unapproved"},
	{"pr_needs_work", "pr:reviewer:needs_work"},
})

// payloads are go-scm's samples and the vendor samples; the latter have
// no X-Request-Id, so their delivery id is the body's hash.
func payloads(t testing.TB) []providertest.Payload {
	all := append(providertest.GoSCM(t, "stash", goSCMHeader), providertest.SharedEvents(t, "bitbucket-server", "X-Event-Key")...)
	return append(all, providertest.Local(t)...)
}

func newTestProvider(t testing.TB, url string) *Provider {
	p, err := New(Options{Secret: testSecret, URL: url, Token: "bbdc-token"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseGolden(t *testing.T) {
	providertest.GoldenSuite(t, newTestProvider(t, "https://bitbucket.example.com"), payloads(t))
}

func TestParseNeverCallsAPI(t *testing.T) {
	p := newTestProvider(t, providertest.Unreachable(t))
	for _, payload := range payloads(t) {
		providertest.Parse(t, p, payload)
	}
}

// TestVendorSignatures checks the samples' own X-Hub-Signature headers,
// made by Bitbucket with the secret "secret".
func TestVendorSignatures(t *testing.T) {
	p := newTestProvider(t, "https://bitbucket.example.com")
	signed := 0
	for _, payload := range providertest.Shared(t, "bitbucket-server") {
		if payload.Header.Get("X-Hub-Signature") == "" {
			continue
		}
		signed++
		if err := p.Verify(t.Context(), payload.Request(), payload.Body); err != nil {
			t.Errorf("%s: %v", payload.Name, err)
		}
	}
	if signed == 0 {
		t.Fatal("no signed sample")
	}
}

func TestParseErrors(t *testing.T) {
	providertest.ParseErrors(t, newTestProvider(t, "https://bitbucket.example.com"), "X-Event-Key", []providertest.ParseErrorCase{
		{Name: "ping", Event: "diagnostics:ping", Body: `{"test":true}`, Status: http.StatusOK, Err: "ignored: ping"},
		{Name: "missing event key", Body: `{}`, Status: http.StatusBadRequest},
		{Name: "unknown event key", Event: "repo:forked", Body: `{}`, Status: http.StatusOK, Err: `ignored: event "repo:forked" is not handled`},
		{Name: "malformed JSON", Event: "pr:opened", Body: `{"eventKey":`, Status: http.StatusBadRequest},
		{Name: "event key differs from the body's", Event: "pr:opened", Body: `{"eventKey":"pr:merged"}`, Status: http.StatusBadRequest},
		{Name: "no pull request", Event: "pr:opened", Body: `{"eventKey":"pr:opened"}`, Status: http.StatusBadRequest},
		{Name: "push without changes", Event: "repo:refs_changed", Body: `{"eventKey":"repo:refs_changed","changes":[]}`, Status: http.StatusBadRequest},
	})
}

func TestNewNeedsURL(t *testing.T) {
	if _, err := New(Options{Secret: testSecret}); err == nil {
		t.Fatal("New without a URL: no error")
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"eventKey":"diagnostics:ping","test":true}`)
	providertest.VerifyTable(t, newTestProvider(t, "https://bitbucket.example.com"), body, []providertest.VerifyCase{
		{Name: "valid", Header: map[string]string{"X-Hub-Signature": providers.SignSHA256(testSecret, body)}},
		{Name: "wrong secret", Header: map[string]string{"X-Hub-Signature": providers.SignSHA256([]byte("other"), body)}, WantErr: true},
		{Name: "missing", WantErr: true},
		{Name: "malformed", Header: map[string]string{"X-Hub-Signature": "sha256=not-hex"}, WantErr: true},
		{Name: "sha1 refused", Header: map[string]string{"X-Hub-Signature": "sha1=0000000000000000000000000000000000000000"}, WantErr: true},
	})
}
