package gerrit

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

// currentRevisionPath is where the current revision of the restored
// sample's change is read.
const currentRevisionPath = "/a/changes/platform%2Ftools~30623?o=CURRENT_REVISION"

// localEvents loads the events kept in testdata/events.
func localEvents(t testing.TB) []providertest.Payload {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no events in testdata/events (%v)", err)
	}
	sort.Strings(files)
	var out []providertest.Payload
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := "local-" + strings.TrimSuffix(filepath.Base(f), ".json")
		out = append(out, providertest.Payload{Name: name, Body: body, Header: http.Header{}})
	}
	return out
}

// TestParseLocalGolden parses the local events with a provider whose REST
// API answers the restored change's current revision.
func TestParseLocalGolden(t *testing.T) {
	api := providertest.NewAPI(t, map[string]providertest.Reply{
		"GET " + currentRevisionPath: {Status: http.StatusOK, Body: recorded(t, "changes-current-revision.json")},
	})
	p := newTestProvider(t, Options{URL: api.URL, CloneURL: testURL, Username: "fresnel", Token: "http-password"})
	providertest.GoldenSuite(t, p, localEvents(t))
}

func localEvent(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "events", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestStateEvents(t *testing.T) {
	tests := []struct {
		name       string
		sample     string
		wantAction event.Action
		wantClosed bool
		wantSender string
	}{
		{name: "draft published is ready for review", sample: "draft-published", wantAction: event.ActionReadyForReview, wantSender: "aortiz"},
		{name: "change deferred is closed", sample: "change-deferred", wantAction: event.ActionClosed, wantClosed: true, wantSender: "jberg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestProvider(t, Options{URL: providertest.Unreachable(t)})
			ev, err := p.Parse(t.Context(), nil, localEvent(t, tc.sample))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind != event.KindPullRequest || ev.Action != tc.wantAction || ev.Closed != tc.wantClosed || ev.Sender != tc.wantSender {
				t.Errorf("got %s closed %v sender %q, want %s closed %v sender %q", ev, ev.Closed, ev.Sender, tc.wantAction, tc.wantClosed, tc.wantSender)
			}
			if ev.HeadSHA == "" || ev.PullRef == "" || ev.Draft {
				t.Errorf("head %q ref %q draft %v, want the patch set and no draft", ev.HeadSHA, ev.PullRef, ev.Draft)
			}
		})
	}
}

func TestRestoredWithoutPatchSet(t *testing.T) {
	tests := []struct {
		name    string
		reply   providertest.Reply
		wantSHA string
		wantErr string
	}{
		{name: "current revision read", reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "changes-current-revision.json")},
			wantSHA: "7d1c9e2b4a6f8d0c2e4a6b8d0f1e3c5a7b9d1f30"},
		{name: "change not visible", reply: providertest.Reply{Status: http.StatusNotFound, Body: "Not found: platform/tools~30623"},
			wantErr: "ignored: change-restored event without patchSet, and the current revision of platform/tools~30623 cannot be read"},
		{name: "answer without a current revision", reply: providertest.Reply{Status: http.StatusOK, Body: ")]}'\n{\"_number\": 30623}"},
			wantErr: "ignored: change-restored event without patchSet, and the current revision of platform/tools~30623 cannot be read: bad payload: the change names no current revision with a ref"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := providertest.NewAPI(t, map[string]providertest.Reply{"GET " + currentRevisionPath: tc.reply})
			ev, err := apiProvider(t, api.URL).Parse(t.Context(), nil, localEvent(t, "change-restored-no-patchset"))
			api.Only(t, http.MethodGet, currentRevisionPath)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one starting %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Action != event.ActionReopened || ev.HeadSHA != tc.wantSHA || ev.PullRef != "refs/changes/23/30623/3" || ev.Sender != "bob" {
				t.Errorf("got %s head %q ref %q sender %q", ev, ev.HeadSHA, ev.PullRef, ev.Sender)
			}
		})
	}
}

// TestRestoredWithoutPatchSetNoServer checks that a Gerrit that cannot be
// reached gives an Ignored event, never one with empty fields.
func TestRestoredWithoutPatchSetNoServer(t *testing.T) {
	refuse := roundTripper(func(*http.Request) (*http.Response, error) { return nil, errors.New("connection refused") })
	p := newTestProvider(t, Options{Transport: refuse})
	_, err := p.Parse(t.Context(), nil, localEvent(t, "change-restored-no-patchset"))
	if err == nil || !strings.Contains(err.Error(), "connection refused") || !strings.HasPrefix(err.Error(), "ignored: ") {
		t.Fatalf("error = %v, want an ignored event naming the failure", err)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
