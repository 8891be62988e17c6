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
	return append(all, providertest.Local(t)...)
}

func newTestProvider(t testing.TB) *Provider {
	p, err := New(Options{Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseGolden(t *testing.T) {
	providertest.GoldenSuite(t, newTestProvider(t), payloads(t))
}

func TestVerify(t *testing.T) {
	body := []byte(`{"zen":"keep it logically awesome"}`)
	sha1Sig := "sha1=" + "0000000000000000000000000000000000000000"
	providertest.VerifyTable(t, newTestProvider(t), body, []providertest.VerifyCase{
		{Name: "valid sha256", Header: map[string]string{"X-Hub-Signature-256": providers.SignSHA256(testSecret, body)}},
		{Name: "wrong secret", Header: map[string]string{"X-Hub-Signature-256": providers.SignSHA256([]byte("other"), body)}, WantErr: true},
		{Name: "missing", WantErr: true},
		{Name: "not hex", Header: map[string]string{"X-Hub-Signature-256": "sha256=zz"}, WantErr: true},
		{Name: "sha1 refused unless allowed", Header: map[string]string{"X-Hub-Signature": sha1Sig}, WantErr: true},
	})
	allowSHA1, err := New(Options{Secret: testSecret, AllowSHA1: true})
	if err != nil {
		t.Fatal(err)
	}
	providertest.VerifyTable(t, allowSHA1, body, []providertest.VerifyCase{
		{Name: "sha1 wrong when allowed", Header: map[string]string{"X-Hub-Signature": sha1Sig}, WantErr: true},
		{Name: "sha256 algo name in the sha1 header", Header: map[string]string{"X-Hub-Signature": providers.SignSHA256(testSecret, body)}},
	})
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
