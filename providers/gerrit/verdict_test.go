package gerrit

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

func TestSetVerdict(t *testing.T) {
	unit := providers.Status{State: providers.StateSuccess, Context: "unit", Description: "Job succeeded.", TargetURL: "https://ci.example.com/runs/1"}
	lint := providers.Status{State: providers.StateFailure, Context: "lint", Description: "Job failed.", TargetURL: "https://ci.example.com/runs/2"}
	reviewPath := "/a/changes/qt%2Fqtbase~30623/revisions/" + testSHA + "/review"
	tests := map[string]struct {
		opts    Options
		verdict providers.Verdict
		want    map[string]any
	}{
		"all passed votes +1": {
			verdict: providers.Verdict{State: providers.StateSuccess, Jobs: []providers.Status{unit}},
			want: reviewBody("fresnel: SUCCESS, 1 of 1 jobs passed.\n\n* unit: SUCCESS - Job succeeded. https://ci.example.com/runs/1",
				map[string]any{"Verified": 1.0}),
		},
		"one failed votes the failure value and lists every job": {
			opts:    Options{VoteLabel: "CI", VoteSuccess: 2, VoteFailure: -2},
			verdict: providers.Verdict{State: providers.StateFailure, Jobs: []providers.Status{lint, unit}},
			want: reviewBody("fresnel: FAILURE, 1 of 2 jobs failed.\n\n"+
				"* lint: FAILURE - Job failed. https://ci.example.com/runs/2\n"+
				"* unit: SUCCESS - Job succeeded. https://ci.example.com/runs/1",
				map[string]any{"CI": -2.0}),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f, srv := startGerrit(t, response{http.StatusOK, restSample(t, "set-review-response.json")})
			p := reporter(t, srv, tc.opts)
			ref := event.CommitRef{Repo: "qt/qtbase", SHA: testSHA, Number: 30623}
			if err := p.SetVerdict(t.Context(), ref, tc.verdict); err != nil {
				t.Fatal(err)
			}
			want := []request{{Method: http.MethodPost, Path: reviewPath, User: "fresnel-ci", Password: "http-password", Body: tc.want}}
			if diff := cmp.Diff(want, f.sent()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetVerdictVoteRefused(t *testing.T) {
	f, srv := startGerrit(t,
		response{http.StatusConflict, []byte("Cannot reduce vote on labels for closed change: Verified")},
		response{http.StatusOK, restSample(t, "set-review-response.json")})
	p := reporter(t, srv, Options{})
	v := providers.Verdict{State: providers.StateFailure, Jobs: []providers.Status{{State: providers.StateFailure, Context: "unit"}}}
	if err := p.SetVerdict(t.Context(), event.CommitRef{Repo: "proj", SHA: testSHA, Number: 123}, v); err != nil {
		t.Fatal(err)
	}
	sent := f.sent()
	if len(sent) != 2 || sent[1].Body["labels"] != nil {
		t.Fatalf("sent %+v: want a second review without labels", sent)
	}
	if msg, _ := sent[1].Body["message"].(string); !strings.HasSuffix(msg, "(Gerrit refused the vote Verified: 409 Conflict)") {
		t.Errorf("message = %q, want it to say the vote was refused", msg)
	}
}

func TestSetVerdictErrors(t *testing.T) {
	f, srv := startGerrit(t, response{http.StatusForbidden, []byte("restricted")})
	p := reporter(t, srv, Options{})
	v := providers.Verdict{State: providers.StateSuccess}
	tests := map[string]struct {
		ref     event.CommitRef
		wantErr string
	}{
		"refused":          {ref: event.CommitRef{Repo: "proj", SHA: testSHA, Number: 1}, wantErr: "403"},
		"no revision":      {ref: event.CommitRef{Repo: "proj", Number: 1}, wantErr: "no revision"},
		"outside a change": {ref: event.CommitRef{Repo: "proj", SHA: testSHA}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := p.SetVerdict(t.Context(), tc.ref, v)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("SetVerdict() = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
	if n := len(f.sent()); n != 1 {
		t.Errorf("%d calls, want 1: only the change with a revision reaches Gerrit", n)
	}
}
