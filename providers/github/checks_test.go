package github

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/providers/providertest"
)

const checkRunsPath = "/repos/octo-org/hello/check-runs"

var checkRef = event.CommitRef{Repo: "octo-org/hello", SHA: "6dcb09b5b57875f334f61aebed695e2e4193db5e", Number: 7}

func newTestAppProvider(t testing.TB, replies map[string]providertest.Reply) (*AppProvider, *providertest.API) {
	t.Helper()
	all := appReplies(t)
	for k, v := range replies {
		all[k] = v
	}
	api := providertest.NewAPI(t, all)
	p, err := NewApp(Options{Secret: testSecret, URL: api.URL, App: &App{ID: testAppID, Key: appKey(t)}})
	if err != nil {
		t.Fatal(err)
	}
	return p, api
}

// checkCall is the one call made on the check runs API.
func checkCall(t *testing.T, api *providertest.API) providertest.Request {
	t.Helper()
	var found []providertest.Request
	for _, r := range api.Requests() {
		if strings.HasPrefix(r.Path, checkRunsPath) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("check runs calls = %+v, want one", found)
	}
	if found[0].Auth != "token "+recordedToken {
		t.Errorf("Authorization %q, want the installation token", found[0].Auth)
	}
	return found[0]
}

func TestSetCheck(t *testing.T) {
	failed := providers.Check{
		Status: providers.Status{State: providers.StateFailure, Context: "ci/unit", Description: "Job failed.", TargetURL: "https://fresnel.example.com/runs/unit-5d1e0c3a9b"},
		Job:    "unit", FailedStep: "unit/test",
	}
	tests := []struct {
		name       string
		id         string
		check      providers.Check
		reply      providertest.Reply
		wantTarget string
		want       map[string]any
		wantID     string
		wantErr    bool
	}{
		{
			name:  "a queued run creates its check run",
			check: providers.Check{Status: providers.Status{State: providers.StatePending, Context: "ci/unit", Description: "Job triggered.", TargetURL: "https://fresnel.example.com/runs/unit-5d1e0c3a9b"}, Job: "unit"},
			reply: providertest.Reply{Status: http.StatusCreated, Body: recorded(t, "check-run-created.json")}, wantTarget: "POST " + checkRunsPath,
			want: map[string]any{"name": "ci/unit", "head_sha": checkRef.SHA, "external_id": "7/unit", "status": "queued",
				"details_url": "https://fresnel.example.com/runs/unit-5d1e0c3a9b",
				"output":      map[string]any{"title": "Job triggered.", "summary": "Job `unit`: Job triggered.\n\n[Details](https://fresnel.example.com/runs/unit-5d1e0c3a9b)"}},
			wantID: "24681357902",
		},
		{
			name: "a started run is in progress", id: "24681357902",
			check: providers.Check{Status: providers.Status{State: providers.StatePending, Context: "ci/unit", Description: "Job running."}, Job: "unit", Started: true},
			reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "check-run-created.json")}, wantTarget: "PATCH " + checkRunsPath + "/24681357902",
			want:   map[string]any{"external_id": "7/unit", "status": "in_progress", "output": map[string]any{"title": "Job running.", "summary": "Job `unit`: Job running."}},
			wantID: "24681357902",
		},
		{
			name: "a failed run completes its check run and names the failed step", id: "24681357902", check: failed,
			reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "check-run-updated.json")}, wantTarget: "PATCH " + checkRunsPath + "/24681357902",
			want: map[string]any{"external_id": "7/unit", "status": "completed", "conclusion": "failure",
				"details_url": "https://fresnel.example.com/runs/unit-5d1e0c3a9b",
				"output":      map[string]any{"title": "Job failed.", "summary": "Job `unit`: Job failed.\n\nFailed step: `unit/test`\n\n[Details](https://fresnel.example.com/runs/unit-5d1e0c3a9b)"}},
			wantID: "24681357902",
		},
		{
			name: "a cancelled run is cancelled", id: "24681357902",
			check: providers.Check{Status: providers.Status{State: providers.StateError, Context: "ci/unit", Description: "Job cancelled."}, Job: "unit", Cancelled: true},
			reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "check-run-updated.json")}, wantTarget: "PATCH " + checkRunsPath + "/24681357902",
			want:   map[string]any{"external_id": "7/unit", "status": "completed", "conclusion": "cancelled", "output": map[string]any{"title": "Job cancelled.", "summary": "Job `unit`: Job cancelled."}},
			wantID: "24681357902",
		},
		{
			name: "a run that could not start is a failure", id: "24681357902",
			check: providers.Check{Status: providers.Status{State: providers.StateError, Context: "ci/unit", Description: "Job could not run: CouldntGetPipeline."}, Job: "unit"},
			reply: providertest.Reply{Status: http.StatusOK, Body: recorded(t, "check-run-updated.json")}, wantTarget: "PATCH " + checkRunsPath + "/24681357902",
			want:   map[string]any{"external_id": "7/unit", "status": "completed", "conclusion": "failure", "output": map[string]any{"title": "Job could not run: CouldntGetPipeline.", "summary": "Job `unit`: Job could not run: CouldntGetPipeline."}},
			wantID: "24681357902",
		},
		{
			name: "a refused update is an error", id: "24681357902", check: failed,
			reply:      providertest.Reply{Status: http.StatusUnprocessableEntity, Body: recorded(t, "check-run-invalid.json")},
			wantTarget: "PATCH " + checkRunsPath + "/24681357902", wantErr: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			method, path, _ := strings.Cut(tc.wantTarget, " ")
			p, api := newTestAppProvider(t, map[string]providertest.Reply{method + " " + path: tc.reply})
			id, err := p.SetCheck(t.Context(), checkRef, tc.id, tc.check)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want an error: %t", err, tc.wantErr)
			}
			req := checkCall(t, api)
			if req.Method+" "+req.Path != tc.wantTarget {
				t.Fatalf("call %s %s, want %s", req.Method, req.Path, tc.wantTarget)
			}
			if tc.wantErr {
				return
			}
			if id != tc.wantID {
				t.Errorf("id = %q, want %q", id, tc.wantID)
			}
			if diff := cmp.Diff(tc.want, req.JSON(t)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetSkipped(t *testing.T) {
	const why = `no changed file matches run_if_changed "^docs/"`
	t.Run("an App posts a skipped check run", func(t *testing.T) {
		p, api := newTestAppProvider(t, map[string]providertest.Reply{
			"POST " + checkRunsPath: {Status: http.StatusCreated, Body: recorded(t, "check-run-created.json")},
		})
		if err := p.SetSkipped(t.Context(), checkRef, "ci/docs", "docs", why); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"name": "ci/docs", "head_sha": checkRef.SHA, "external_id": "7/docs", "status": "completed", "conclusion": "skipped",
			"output": map[string]any{"title": "Skipped", "summary": "Job `docs` did not need to run: " + why + "."}}
		if diff := cmp.Diff(want, checkCall(t, api).JSON(t)); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
	})
	t.Run("a token posts a success status", func(t *testing.T) {
		api := providertest.NewAPI(t, map[string]providertest.Reply{
			"POST /repos/octo-org/hello/statuses/" + checkRef.SHA: {Status: http.StatusCreated, Body: `{"id":1,"state":"success"}`},
		})
		if err := newAPIProvider(t, api.URL).SetSkipped(t.Context(), checkRef, "ci/docs", "docs", why); err != nil {
			t.Fatal(err)
		}
		got := api.Only(t, http.MethodPost, "/repos/octo-org/hello/statuses/"+checkRef.SHA).JSON(t)
		if got["state"] != "success" || got["context"] != "ci/docs" || got["description"] != "Skipped: "+why {
			t.Errorf("status = %v, want success Skipped on ci/docs", got)
		}
	})
}

func TestParseRerequestOfAnotherApp(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "check-run-rerequested.json"))
	if err != nil {
		t.Fatal(err)
	}
	other := strings.ReplaceAll(string(body), `"id": 424242`, `"id": 15368`)
	tests := []struct {
		name        string
		body        string
		wantIgnored bool
	}{
		{name: "fresnel's own App", body: string(body)},
		{name: "another App's check run", body: other, wantIgnored: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newTestAppProvider(t, nil)
			payload := providertest.Payload{Body: []byte(tc.body), Header: http.Header{"X-Github-Event": {"check_run"}, "X-Github-Delivery": {"d-1"}}}
			ev, err := p.Parse(t.Context(), payload.Request(), payload.Body)
			var ignored providers.Ignored
			if got := errors.As(err, &ignored); got != tc.wantIgnored {
				t.Fatalf("err = %v, want ignored: %t", err, tc.wantIgnored)
			}
			if !tc.wantIgnored && (ev.Comment == nil || ev.Comment.Body != "/test unit" || ev.Number != 91) {
				t.Errorf("event = %+v, want /test unit on #91", ev)
			}
		})
	}
}

func TestExternalID(t *testing.T) {
	tests := []struct {
		name   string
		id     string
		number int
		job    string
		ok     bool
	}{
		{name: "a pull request's job", id: externalID(7, "unit"), number: 7, job: "unit", ok: true},
		{name: "a job whose name has a slash", id: externalID(12, "e2e/gce"), number: 12, job: "e2e/gce", ok: true},
		{name: "a merge group's job", id: externalID(0, "unit"), job: "unit", ok: true},
		{name: "another tool's id", id: "build-4411"},
		{name: "empty", id: ""},
		{name: "no job", id: "7/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			number, job, ok := parseExternalID(tc.id)
			if number != tc.number || job != tc.job || ok != tc.ok {
				t.Errorf("parseExternalID(%q) = %d, %q, %v; want %d, %q, %v", tc.id, number, job, ok, tc.number, tc.job, tc.ok)
			}
		})
	}
}

// TestSetCheckGoneIsCreatedAgain: an update of a check run GitHub no
// longer has creates a new one, whose id is returned.
func TestSetCheckGoneIsCreatedAgain(t *testing.T) {
	p, api := newTestAppProvider(t, map[string]providertest.Reply{
		"PATCH " + checkRunsPath + "/11": {Status: http.StatusNotFound, Body: recorded(t, "not-found.json")},
		"POST " + checkRunsPath:          {Status: http.StatusCreated, Body: recorded(t, "check-run-created.json")},
	})
	check := providers.Check{Status: providers.Status{State: providers.StateSuccess, Context: "ci/unit", Description: "Job succeeded."}, Job: "unit"}
	id, err := p.SetCheck(t.Context(), checkRef, "11", check)
	if err != nil || id != "24681357902" {
		t.Fatalf("SetCheck = %q, %v; want the new check run's id", id, err)
	}
	created := api.Requests()[len(api.Requests())-1]
	if body := created.JSON(t); created.Method != http.MethodPost || body["name"] != "ci/unit" || body["conclusion"] != "success" {
		t.Errorf("last call %s %s %v, want a POST of the completed check run", created.Method, created.Path, body)
	}
}
