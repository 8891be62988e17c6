package bitbucketcloud

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

var testSecret = []byte("topsecret")

// goSCMEvents maps go-scm's payload file names to X-Event-Key values.
var goSCMEvents = []struct{ prefix, event string }{
	{"push", "repo:push"},
	{"pr_created", "pullrequest:created"},
	{"pr_updated", "pullrequest:updated"},
	{"pr_fulfilled", "pullrequest:fulfilled"},
	{"pr_declined", "pullrequest:rejected"},
}

func goSCMHeader(name string) http.Header {
	h := http.Header{"X-Request-Uuid": {"delivery-" + name}}
	for _, m := range goSCMEvents {
		if strings.HasPrefix(name, m.prefix) {
			h.Set("X-Event-Key", m.event)
			break
		}
	}
	return h
}

// payloads are go-scm's samples and the vendor samples; the latter have
// no X-Request-UUID, so their delivery id is the body's hash.
func payloads(t testing.TB) []providertest.Payload {
	all := providertest.GoSCM(t, "bitbucket", goSCMHeader)
	events := providertest.ManifestEvents(t, "bitbucket-cloud")
	for _, p := range providertest.Shared(t, "bitbucket-cloud") {
		if p.Header.Get("X-Event-Key") == "" {
			p.Header.Set("X-Event-Key", events[strings.TrimPrefix(p.Name, "shared-")])
		}
		all = append(all, p)
	}
	return all
}

func newTestProvider(t testing.TB, url string) *Provider {
	p, err := New(Options{Secret: testSecret, URL: url, Token: "bb-token"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseGolden(t *testing.T) {
	p := newTestProvider(t, "")
	for _, payload := range payloads(t) {
		t.Run(payload.Name, func(t *testing.T) {
			providertest.Golden(t, payload.Name, providertest.Parse(t, p, payload))
		})
	}
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
	tests := []struct {
		name, key, body string
		want            int
		wantErr         string
	}{
		{name: "missing event key", body: `{}`, want: http.StatusBadRequest},
		{name: "unknown event key", key: "repo:fork", body: `{}`, want: http.StatusOK, wantErr: `ignored: event "repo:fork" is not handled`},
		{name: "malformed JSON push", key: "repo:push", body: `{"push":`, want: http.StatusBadRequest},
		{name: "malformed JSON update", key: "pullrequest:updated", body: `[1,2`, want: http.StatusBadRequest},
		{name: "wrong types", key: "pullrequest:updated", body: `{"pullrequest":{"id":"one"}}`, want: http.StatusBadRequest},
		{name: "push without changes", key: "repo:push", body: `{"push":{"changes":[]}}`, want: http.StatusBadRequest},
		{name: "pull request without a hash", key: "pullrequest:created", body: `{"repository":{"full_name":"o/r"},"pullrequest":{"id":1,"destination":{"branch":{"name":"main"}}}}`, want: http.StatusBadRequest},
	}
	p := newTestProvider(t, "")
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

func TestVerify(t *testing.T) {
	body := []byte(`{"push":{"changes":[]}}`)
	tests := []struct {
		name    string
		header  map[string]string
		wantErr bool
	}{
		{name: "valid", header: map[string]string{"X-Hub-Signature": providers.SignSHA256(testSecret, body)}},
		{name: "wrong secret", header: map[string]string{"X-Hub-Signature": providers.SignSHA256([]byte("other"), body)}, wantErr: true},
		{name: "missing", wantErr: true},
		{name: "malformed", header: map[string]string{"X-Hub-Signature": "sha256=zz"}, wantErr: true},
		{name: "no algorithm", header: map[string]string{"X-Hub-Signature": strings.TrimPrefix(providers.SignSHA256(testSecret, body), "sha256=")}, wantErr: true},
		{name: "sha1 refused", header: map[string]string{"X-Hub-Signature": "sha1=0000000000000000000000000000000000000000"}, wantErr: true},
	}
	p := newTestProvider(t, "")
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
