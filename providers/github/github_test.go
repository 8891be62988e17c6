package github

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

var testSecret = []byte("topsecret")

// goSCMEvents maps go-scm's payload file names to X-GitHub-Event values.
var goSCMEvents = []struct{ prefix, event string }{
	{"pr_review_submitted", "pull_request_review"},
	{"pr_comment", "pull_request_review_comment"},
	{"pr_", "pull_request"},
	{"push", "push"},
	{"issue_comment", "issue_comment"},
	{"branch_create", "create"},
	{"branch_delete", "delete"},
	{"tag_create", "create"},
	{"tag_delete", "delete"},
	{"deployment_status", "deployment_status"},
	{"check_run", "check_run"},
	{"check_suite", "check_suite"},
	{"installation_repository", "installation_repositories"},
	{"installation", "installation"},
	{"label", "label"},
	{"ping", "ping"},
	{"", ""},
}

func goSCMHeader(name string) http.Header {
	h := http.Header{"X-Github-Delivery": {"delivery-" + name}}
	for _, m := range goSCMEvents {
		if strings.HasPrefix(name, m.prefix) {
			event := m.event
			if event == "" {
				event = strings.SplitN(name, "_", 2)[0]
			}
			h.Set("X-GitHub-Event", event)
			break
		}
	}
	return h
}

// sharedHeader adds what the vendor samples lack: the delivery id, and the
// event name where no .headers file gives it (the file name's prefix).
func sharedHeader(name string) http.Header {
	h := http.Header{"X-Github-Delivery": {"delivery-" + name}}
	for _, m := range []struct{ part, event string }{
		{"check-run", "check_run"}, {"check-suite", "check_suite"},
		{"pull-request-review", "pull_request_review"}, {"pull-request", "pull_request"},
		{"installation", "installation"}, {"push", "push"},
	} {
		if strings.Contains(name, m.part) {
			h.Set("X-GitHub-Event", m.event)
			break
		}
	}
	return h
}

func payloads(t testing.TB) []providertest.Payload {
	all := providertest.GoSCM(t, "github", goSCMHeader)
	for _, p := range providertest.Shared(t, "github") {
		h := sharedHeader(strings.TrimPrefix(p.Name, "shared-"))
		for k, v := range h {
			if p.Header.Get(k) == "" {
				p.Header[k] = v
			}
		}
		all = append(all, p)
	}
	return all
}

func newTestProvider(t testing.TB) *Provider {
	p, err := New(Options{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseGolden(t *testing.T) {
	p := newTestProvider(t)
	for _, payload := range payloads(t) {
		t.Run(payload.Name, func(t *testing.T) {
			providertest.Golden(t, payload.Name, providertest.Parse(t, p, payload))
		})
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{"zen":"keep it logically awesome"}`)
	sha1Sig := "sha1=" + "0000000000000000000000000000000000000000"
	tests := []struct {
		name      string
		allowSHA1 bool
		header    map[string]string
		wantErr   bool
	}{
		{name: "valid sha256", header: map[string]string{"X-Hub-Signature-256": providers.SignSHA256(testSecret, body)}},
		{name: "wrong secret", header: map[string]string{"X-Hub-Signature-256": providers.SignSHA256([]byte("other"), body)}, wantErr: true},
		{name: "missing", wantErr: true},
		{name: "not hex", header: map[string]string{"X-Hub-Signature-256": "sha256=zz"}, wantErr: true},
		{name: "sha1 refused unless allowed", header: map[string]string{"X-Hub-Signature": sha1Sig}, wantErr: true},
		{name: "sha1 wrong when allowed", allowSHA1: true, header: map[string]string{"X-Hub-Signature": sha1Sig}, wantErr: true},
		{name: "sha256 algo name in the sha1 header", allowSHA1: true, header: map[string]string{"X-Hub-Signature": providers.SignSHA256(testSecret, body)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(Options{Secret: testSecret, AllowSHA1: tc.allowSHA1})
			if err != nil {
				t.Fatal(err)
			}
			payload := providertest.Payload{Body: body, Header: http.Header{}}
			for k, v := range tc.header {
				payload.Header.Set(k, v)
			}
			err = p.Verify(t.Context(), payload.Request(), body)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Verify() error = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && providers.HTTPStatus(err) != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", providers.HTTPStatus(err))
			}
		})
	}
}

func TestVerifySHA1WhenAllowed(t *testing.T) {
	body := []byte(`{}`)
	// HMAC-SHA1 of "{}" with key "topsecret".
	p, _ := New(Options{Secret: testSecret, AllowSHA1: true})
	payload := providertest.Payload{Body: body, Header: http.Header{"X-Hub-Signature": {sha1Hex(testSecret, body)}}}
	if err := p.Verify(t.Context(), payload.Request(), body); err != nil {
		t.Fatalf("Verify(sha1) = %v", err)
	}
}
