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

// goSCMEvents maps go-scm's payload file names to X-Gitlab-Event values,
// as GitLab sends them (go-scm's own test sends tag_delete as a Push Hook).
var goSCMEvents = []struct{ prefix, event string }{
	{"branch_", pushHook},
	{"push", pushHook},
	{"tag_", tagPushHook},
	{"issue_comment", noteHook},
	{"pull_request_comment", noteHook},
	{"review_comment", noteHook},
	{"issue_", "Issue Hook"},
	{"pull_request_", mergeRequestHook},
	{"release", "Release Hook"},
}

func goSCMHeader(name string) http.Header {
	h := http.Header{"X-Gitlab-Event-Uuid": {"delivery-" + name}}
	for _, m := range goSCMEvents {
		if strings.HasPrefix(name, m.prefix) {
			h.Set("X-Gitlab-Event", m.event)
			break
		}
	}
	return h
}

func payloads(t testing.TB) []providertest.Payload {
	all := providertest.GoSCM(t, "gitlab", goSCMHeader)
	events := providertest.ManifestEvents(t, "gitlab")
	for _, p := range providertest.Shared(t, "gitlab") {
		name := strings.TrimPrefix(p.Name, "shared-")
		if p.Header.Get("X-Gitlab-Event") == "" {
			p.Header.Set("X-Gitlab-Event", events[name])
		}
		p.Header.Set("X-Gitlab-Event-UUID", "delivery-"+name)
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
	p := newTestProvider(t, "")
	for _, payload := range payloads(t) {
		t.Run(payload.Name, func(t *testing.T) {
			providertest.Golden(t, payload.Name, providertest.Parse(t, p, payload))
		})
	}
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
	tests := []struct {
		name    string
		secret  []byte
		header  map[string]string
		wantErr bool
	}{
		{name: "valid", secret: testSecret, header: map[string]string{"X-Gitlab-Token": "topsecret"}},
		{name: "wrong secret", secret: testSecret, header: map[string]string{"X-Gitlab-Token": "other"}, wantErr: true},
		{name: "prefix of the secret", secret: testSecret, header: map[string]string{"X-Gitlab-Token": "top"}, wantErr: true},
		{name: "missing", secret: testSecret, wantErr: true},
		{name: "malformed: an HMAC signature instead", secret: testSecret, header: map[string]string{"X-Hub-Signature": providers.SignSHA256(testSecret, []byte(`{}`))}, wantErr: true},
		{name: "no secret configured", header: map[string]string{"X-Gitlab-Token": ""}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(Options{Secret: tc.secret})
			if err != nil {
				t.Fatal(err)
			}
			payload := providertest.Payload{Body: []byte(`{}`), Header: http.Header{}}
			for k, v := range tc.header {
				payload.Header.Set(k, v)
			}
			err = p.Verify(t.Context(), payload.Request(), payload.Body)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Verify() error = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && providers.HTTPStatus(err) != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", providers.HTTPStatus(err))
			}
		})
	}
}
