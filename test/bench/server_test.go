package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/dispatch"
	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/server"
	"github.com/fresnel-ci/fresnel/providers"
	_ "github.com/fresnel-ci/fresnel/providers/all"
	"github.com/fresnel-ci/fresnel/test/harness"
	"github.com/fresnel-ci/fresnel/triggers"
)

// selectOnly selects jobs and builds their PipelineRuns, without a cluster.
type selectOnly struct{ cfg *triggers.Config }

func (s selectOnly) Handle(_ context.Context, _ providers.Instance, ev event.Event) (dispatch.Outcome, error) {
	sel, err := s.cfg.Select(ev, triggers.Inputs{})
	out := dispatch.Outcome{}
	for _, j := range sel.Runs {
		pr, perr := launch.PipelineRun(j, ev, "ci")
		if perr != nil {
			return out, perr
		}
		out.Runs = append(out.Runs, launch.Run{Name: pr.Name, Job: j.Name, Created: true})
	}
	return out, err
}

// BenchmarkHookEndToEndWithoutCluster is one delivery through the HTTP
// router: limits, verify, parse, select, PipelineRun build, JSON answer
// and the log line; the cluster call is left out.
func BenchmarkHookEndToEndWithoutCluster(b *testing.B) {
	set, err := providers.NewSet([]providers.Config{{Kind: "github", Name: "bench", Secret: secret}})
	if err != nil {
		b.Fatal(err)
	}
	log := logrus.New()
	log.SetFormatter(&logrus.JSONFormatter{})
	log.SetOutput(io.Discard)
	srv := server.New(server.Options{Instances: set, Handler: selectOnly{benchConfig(b)}, MaxBodyBytes: 25 << 20, Log: log})
	router := srv.Router()
	body := harness.GitHubPullRequestEvent("opened", "org/repo-500", 7, "8f3a5b1c2d4e6f708192a3b4c5d6e7f8091a2b3c", "main")
	header := harness.GitHubHeader("pull_request", "bench", secret, body)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/hook/github/bench", bytes.NewReader(body))
		r.Header = header
		w := httptest.NewRecorder()
		router.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
