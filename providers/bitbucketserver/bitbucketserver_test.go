package bitbucketserver

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// testSecret is the secret the vendor samples are signed with.
var testSecret = []byte("secret")

// goSCMEvents maps go-scm's payload file names to X-Event-Key values.
var goSCMEvents = []struct{ prefix, event string }{
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
}

func goSCMHeader(name string) http.Header {
	h := http.Header{"X-Request-Id": {"delivery-" + name}}
	for _, m := range goSCMEvents {
		if strings.HasPrefix(name, m.prefix) {
			h.Set("X-Event-Key", m.event)
			break
		}
	}
	return h
}

// payloads are go-scm's samples and the vendor samples; the latter have
// no X-Request-Id, so their delivery id is the body's hash.
func payloads(t testing.TB) []providertest.Payload {
	all := providertest.GoSCM(t, "stash", goSCMHeader)
	events := providertest.ManifestEvents(t, "bitbucket-server")
	for _, p := range providertest.Shared(t, "bitbucket-server") {
		if p.Header.Get("X-Event-Key") == "" {
			p.Header.Set("X-Event-Key", events[strings.TrimPrefix(p.Name, "shared-")])
		}
		all = append(all, p)
	}
	return all
}

func newTestProvider(t testing.TB, url string) *Provider {
	p, err := New(Options{Secret: testSecret, URL: url, Token: "bbdc-token"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseGolden(t *testing.T) {
	p := newTestProvider(t, "https://bitbucket.example.com")
	for _, payload := range payloads(t) {
		t.Run(payload.Name, func(t *testing.T) {
			providertest.Golden(t, payload.Name, providertest.Parse(t, p, payload))
		})
	}
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
	tests := []struct {
		name, key, body string
		want            int
		wantErr         string
	}{
		{name: "ping", key: "diagnostics:ping", body: `{"test":true}`, want: http.StatusOK, wantErr: "ignored: ping"},
		{name: "missing event key", body: `{}`, want: http.StatusBadRequest},
		{name: "unknown event key", key: "repo:forked", body: `{}`, want: http.StatusOK, wantErr: `ignored: event "repo:forked" is not handled`},
		{name: "malformed JSON", key: "pr:opened", body: `{"eventKey":`, want: http.StatusBadRequest},
		{name: "event key differs from the body's", key: "pr:opened", body: `{"eventKey":"pr:merged"}`, want: http.StatusBadRequest},
		{name: "no pull request", key: "pr:opened", body: `{"eventKey":"pr:opened"}`, want: http.StatusBadRequest},
		{name: "push without changes", key: "repo:refs_changed", body: `{"eventKey":"repo:refs_changed","changes":[]}`, want: http.StatusBadRequest},
	}
	p := newTestProvider(t, "https://bitbucket.example.com")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload := providertest.Payload{Body: []byte(tc.body), Header: http.Header{}}
			if tc.key != "" {
				payload.Header.Set("X-Event-Key", tc.key)
			}
			out := providertest.Parse(t, p, payload)
			if out.Status != tc.want || out.Event != nil {
				t.Fatalf("Parse() = %+v, want status %d and no event", out, tc.want)
			}
			if tc.wantErr != "" && out.Error != tc.wantErr {
				t.Fatalf("error = %q, want %q", out.Error, tc.wantErr)
			}
		})
	}
}

func TestNewNeedsURL(t *testing.T) {
	if _, err := New(Options{Secret: testSecret}); err == nil {
		t.Fatal("New without a URL: no error")
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"eventKey":"diagnostics:ping","test":true}`)
	tests := []struct {
		name    string
		header  map[string]string
		wantErr bool
	}{
		{name: "valid", header: map[string]string{"X-Hub-Signature": providers.SignSHA256(testSecret, body)}},
		{name: "wrong secret", header: map[string]string{"X-Hub-Signature": providers.SignSHA256([]byte("other"), body)}, wantErr: true},
		{name: "missing", wantErr: true},
		{name: "malformed", header: map[string]string{"X-Hub-Signature": "sha256=not-hex"}, wantErr: true},
		{name: "sha1 refused", header: map[string]string{"X-Hub-Signature": "sha1=0000000000000000000000000000000000000000"}, wantErr: true},
	}
	p := newTestProvider(t, "https://bitbucket.example.com")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload := providertest.Payload{Body: body, Header: http.Header{}}
			for k, v := range tc.header {
				payload.Header.Set(k, v)
			}
			err := p.Verify(t.Context(), payload.Request(), body)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Verify() error = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && providers.HTTPStatus(err) != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", providers.HTTPStatus(err))
			}
		})
	}
}
