package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"

	"github.com/fresnel-ci/fresnel/pkg/launch"
	pipelinerun "github.com/fresnel-ci/fresnel/pkg/run"
)

const sr = "testdata/showruns/"

func showRunsArgs(args ...string) []string {
	return append([]string{"--config", sr + "config.yaml", "--provider", "github", "--event", "pull_request",
		"--payload", ex + "github/pull_request-opened.json"}, args...)
}

// shown runs explain and decodes its answer.
func shown(t *testing.T, args ...string) (Explanation, map[string]*pipelinev1.PipelineRun) {
	t.Helper()
	code, stdout, stderr := run(t, Explain, args...)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var out Explanation
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("answer is not an explanation: %v\n%s", err, stdout)
	}
	byJob := map[string]*pipelinev1.PipelineRun{}
	for _, pr := range out.PipelineRuns {
		byJob[pr.Labels[pipelinerun.LabelJob]] = pr
	}
	return out, byJob
}

func TestExplainShowRuns(t *testing.T) {
	tests := []struct {
		name          string
		args          []string
		wantNamespace string
		wantImage     string
		wantInstance  string
		wantDelivery  string
	}{
		{name: "defaults", args: showRunsArgs("--show-runs"),
			wantNamespace: "default", wantImage: launch.DefaultCloneImage},
		{name: "settings give the namespace, the clone image and the instance", args: showRunsArgs("--show-runs", "--settings", sr+"fresnel.yaml"),
			wantNamespace: "ci-runs", wantImage: "registry.example.com/git:2.50", wantInstance: "public"},
		{name: "the namespace flag wins; instance and delivery as the webhook's",
			args:          showRunsArgs("--show-runs", "--settings", sr+"fresnel.yaml", "--namespace", "other", "--instance", "enterprise", "--delivery", "72d3162e"),
			wantNamespace: "other", wantImage: "registry.example.com/git:2.50", wantInstance: "enterprise", wantDelivery: "72d3162e"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, byJob := shown(t, tc.args...)
			var runJobs []string
			for _, r := range out.Runs {
				runJobs = append(runJobs, r.Job)
			}
			if diff := cmp.Diff([]string{"lint", "unit"}, runJobs); diff != "" || len(out.PipelineRuns) != len(out.Runs) {
				t.Fatalf("runs (-want +got):\n%s\n%d PipelineRuns for %d runs", diff, len(out.PipelineRuns), len(out.Runs))
			}
			unit := byJob["unit"]
			delivery := unit.Annotations[pipelinerun.AnnotationDelivery]
			if tc.wantDelivery != "" && delivery != tc.wantDelivery || unit.Annotations[pipelinerun.AnnotationInstance] != tc.wantInstance {
				t.Errorf("unit's run is for delivery %q of %q, want %q of %q", delivery, unit.Annotations[pipelinerun.AnnotationInstance], tc.wantDelivery, tc.wantInstance)
			}
			if want := launch.RunName(tc.wantInstance, "lumen-labs/prism", delivery, "unit"); unit.Name != want || unit.Namespace != tc.wantNamespace {
				t.Errorf("unit's run is %s/%s, want %s/%s", unit.Namespace, unit.Name, tc.wantNamespace, want)
			}
			steps := unit.Spec.PipelineSpec.Tasks[0].TaskSpec.Steps
			if steps[0].Name != "clonerefs" || steps[0].Image != tc.wantImage {
				t.Errorf("unit's first step %s runs %s, want the clone step on %s", steps[0].Name, steps[0].Image, tc.wantImage)
			}
			if !strings.Contains(steps[0].Script, "6b2f0c9e8a7d5f4e3c2b1a0f9e8d7c6b5a4f3e2d") {
				t.Errorf("the clone step does not merge the pull request's head:\n%s", steps[0].Script)
			}
			if got := paramValue(byJob["lint"], "PULL_NUMBER"); got != "17" || byJob["lint"].Spec.PipelineRef.Name != "lint" {
				t.Errorf("lint's run: PULL_NUMBER %q, pipelineRef %+v; want 17 and lint", got, byJob["lint"].Spec.PipelineRef)
			}
		})
	}
}

func paramValue(pr *pipelinev1.PipelineRun, name string) string {
	for _, p := range pr.Spec.Params {
		if p.Name == name {
			return p.Value.StringVal
		}
	}
	return ""
}

func TestExplainShowRunsOffOrBad(t *testing.T) {
	out, _ := shown(t, showRunsArgs()...)
	if out.PipelineRuns != nil {
		t.Errorf("without --show-runs the answer has %d PipelineRuns", len(out.PipelineRuns))
	}
	code, _, stderr := run(t, Explain, showRunsArgs("--show-runs", "--settings", sr+"missing.yaml")...)
	if code != int(ExitBadInput) || !strings.Contains(stderr, "missing.yaml") {
		t.Errorf("missing settings: exit %d, stderr %q; want %d naming the file", code, stderr, ExitBadInput)
	}
}
