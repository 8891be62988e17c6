package gerrit

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

func TestVote(t *testing.T) {
	tests := []struct {
		name     string
		sha      string
		status   int
		wantPath string
		wantErr  bool
	}{
		{name: "on the revision", sha: testSHA, status: http.StatusOK, wantPath: "/a/changes/qt%2Fqtbase~30623/revisions/" + testSHA + "/review"},
		{name: "on the current revision", status: http.StatusOK, wantPath: "/a/changes/qt%2Fqtbase~30623/revisions/current/review"},
		{name: "refused", sha: testSHA, status: http.StatusBadRequest, wantPath: "/a/changes/qt%2Fqtbase~30623/revisions/" + testSHA + "/review", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := restSample(t, "set-review-response.json")
			if tc.status != http.StatusOK {
				body = []byte("label \"Code-Review\" is not a configured label\n")
			}
			f, srv := startGerrit(t, response{status: tc.status, body: body})
			err := reporter(t, srv, Options{}).Vote(t.Context(), event.CommitRef{Repo: "qt/qtbase", SHA: tc.sha, Number: 30623}, "Code-Review", 1, "LGTM by @rev")
			if (err != nil) != tc.wantErr {
				t.Fatalf("Vote() error = %v, want error %v", err, tc.wantErr)
			}
			sent := f.sent()
			if len(sent) != 1 || sent[0].Path != tc.wantPath {
				t.Fatalf("requests = %+v, want one to %s", sent, tc.wantPath)
			}
			want := reviewBody("LGTM by @rev", map[string]any{"Code-Review": 1.0})
			if diff := cmp.Diff(want, sent[0].Body); diff != "" {
				t.Errorf("review (-want +got):\n%s", diff)
			}
		})
	}
}
