package gitlab

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

var testSecret = []byte("topsecret")

// goSCMHeader gives go-scm's samples, by the start of the file name, their
// X-Gitlab-Event as GitLab sends them (go-scm's own test sends tag_delete
// as a Push Hook).
var goSCMHeader = providertest.ByPrefix("X-Gitlab-Event", "X-Gitlab-Event-UUID", [][2]string{
	{"branch_", pushHook},
	{"push", pushHook},
	{"tag_", tagPushHook},
	{"issue_comment", noteHook},
	{"pull_request_comment", noteHook},
	{"review_comment", noteHook},
	{"issue_", "Issue Hook"},
	{"pull_request_", mergeRequestHook},
	{"release", "Release Hook"},
})

func payloads(t testing.TB) []providertest.Payload {
	all := providertest.GoSCM(t, "gitlab", goSCMHeader)
	for _, p := range providertest.SharedEvents(t, "gitlab", "X-Gitlab-Event") {
		p.Header.Set("X-Gitlab-Event-UUID", "delivery-"+strings.TrimPrefix(p.Name, "shared-"))
		all = append(all, p)
	}
	return append(all, providertest.Local(t)...)
}

func newTestProvider(t testing.TB, url string) *Provider {
	p, err := New(Options{Secret: testSecret, URL: url, Token: "glpat-test"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseGolden(t *testing.T) {
	providertest.GoldenSuite(t, newTestProvider(t, ""), payloads(t))
}

// TestParseNeverCallsAPI parses every payload with a provider whose API
// fails the test when called: go-scm's Note Hook parsing would call the
// Users API, fresnel's must not.
func TestParseNeverCallsAPI(t *testing.T) {
	p := newTestProvider(t, providertest.Unreachable(t))
	notes := 0
	for _, payload := range payloads(t) {
		out := providertest.Parse(t, p, payload)
		if payload.Header.Get("X-Gitlab-Event") == noteHook && out.Event != nil {
			notes++
		}
	}
	if notes == 0 {
		t.Fatal("no Note Hook parsed into an event: the test proves nothing")
	}
}

func TestNestedGroups(t *testing.T) {
	p := newTestProvider(t, "")
	for _, payload := range providertest.Local(t) {
		if !strings.HasSuffix(payload.Name, "-nested") {
			continue
		}
		t.Run(payload.Name, func(t *testing.T) {
			ev, err := p.Parse(t.Context(), payload.Request(), payload.Body)
			if err != nil {
				return // ignored ones are covered by the goldens
			}
			want := event.Repo{Owner: "platform/team/tools", Name: "hello-world", FullName: "platform/team/tools/hello-world"}
			got := event.Repo{Owner: ev.Repo.Owner, Name: ev.Repo.Name, FullName: ev.Repo.FullName}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("repo (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDelivery(t *testing.T) {
	body := []byte(`{"object_kind":"push"}`)
	tests := []struct {
		name   string
		header map[string]string
		want   string
	}{
		{name: "idempotency key first", header: map[string]string{"Idempotency-Key": "key", "X-Gitlab-Event-UUID": "uuid"}, want: "key"},
		{name: "event uuid", header: map[string]string{"X-Gitlab-Event-UUID": "uuid"}, want: "uuid"},
		{name: "body hash", want: "sha256:"},
	}
	p := newTestProvider(t, "")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload := providertest.Payload{Body: body, Header: http.Header{"X-Gitlab-Event": {pushHook}}}
			for k, v := range tc.header {
				payload.Header.Set(k, v)
			}
			ev, _ := p.Parse(t.Context(), payload.Request(), body)
			if !strings.HasPrefix(ev.Delivery, tc.want) {
				t.Fatalf("Delivery = %q, want %q", ev.Delivery, tc.want)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	body := []byte(`{}`)
	providertest.VerifyTable(t, newTestProvider(t, ""), body, []providertest.VerifyCase{
		{Name: "valid", Header: map[string]string{"X-Gitlab-Token": "topsecret"}},
		{Name: "wrong secret", Header: map[string]string{"X-Gitlab-Token": "other"}, WantErr: true},
		{Name: "prefix of the secret", Header: map[string]string{"X-Gitlab-Token": "top"}, WantErr: true},
		{Name: "missing", WantErr: true},
		{Name: "malformed: an HMAC signature instead", Header: map[string]string{"X-Hub-Signature": providers.SignSHA256(testSecret, body)}, WantErr: true},
	})
	noSecret, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	providertest.VerifyTable(t, noSecret, body, []providertest.VerifyCase{
		{Name: "no secret configured", Header: map[string]string{"X-Gitlab-Token": ""}, WantErr: true},
	})
}
