package inrepo_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/fresnel-ci/fresnel/triggers/inrepo"
)

const triggersHeader = "apiVersion: config.lighthouse.jenkins-x.io/v1alpha1\nkind: TriggerConfig\n"

const pipelineRun = `apiVersion: tekton.dev/v1
kind: PipelineRun
spec:
  pipelineRef: {name: build}
`

// Each in-repo file that cannot be used says why, on its file and line.
func TestFormatProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{
			name:  "prow presets",
			files: map[string]string{".prow.yaml": "presets:\n- env: []\n"},
			want:  `.prow.yaml:1: top level: presets are not supported by fresnel; set the env and volumes in each job`,
		},
		{
			name:  "prow unknown top-level field",
			files: map[string]string{".prow.yaml": "presubmits: []\njobs: []\n"},
			want:  `.prow.yaml:2: top level: unknown field "jobs"`,
		},
		{
			name:  "prow central form",
			files: map[string]string{".prow.yaml": "presubmits:\n  acme/widgets:\n  - name: unit\n"},
			want:  `.prow.yaml:2: presubmits of acme/widgets must be a list of jobs`,
		},
		{
			name:  "lighthouse wrong kind",
			files: map[string]string{".lighthouse/ci/triggers.yaml": "apiVersion: config.lighthouse.jenkins-x.io/v1alpha1\nkind: Pipeline\n"},
			want:  `.lighthouse/ci/triggers.yaml:2: kind "Pipeline" is not supported: want TriggerConfig`,
		},
		{
			name:  "lighthouse without apiVersion",
			files: map[string]string{".lighthouse/triggers.yaml": "spec: {}\n"},
			want:  `.lighthouse/triggers.yaml:1: apiVersion and kind are required (config.lighthouse.jenkins-x.io/v1alpha1, TriggerConfig)`,
		},
		{
			name:  "lighthouse unknown spec field",
			files: map[string]string{".lighthouse/ci/triggers.yaml": triggersHeader + "spec:\n  periodics: []\n"},
			want:  `.lighthouse/ci/triggers.yaml:4: spec: unknown field "periodics"`,
		},
		{
			name:  "source URL",
			files: map[string]string{".lighthouse/ci/triggers.yaml": triggersHeader + "spec:\n  presubmits:\n  - name: pr\n    source: https://example.com/pr.yaml\n"},
			want:  `.lighthouse/ci/triggers.yaml:6: source "https://example.com/pr.yaml": URLs are not supported; keep the PipelineRun in the repository`,
		},
		{
			name:  "source outside the repository",
			files: map[string]string{".lighthouse/ci/triggers.yaml": triggersHeader + "spec:\n  presubmits:\n  - name: pr\n    source: ../../../pr.yaml\n"},
			want:  `.lighthouse/ci/triggers.yaml:6: source "../../../pr.yaml" is outside the repository`,
		},
		{
			name: "source not a PipelineRun",
			files: map[string]string{
				".lighthouse/ci/triggers.yaml": triggersHeader + "spec:\n  presubmits:\n  - name: pr\n    source: pr.yaml\n",
				".lighthouse/ci/pr.yaml":       "apiVersion: tekton.dev/v1\nkind: Pipeline\nspec: {}\n",
			},
			want: `.lighthouse/ci/pr.yaml:2: kind "Pipeline" is not supported: want PipelineRun`,
		},
		{
			name: "source with uses steps",
			files: map[string]string{
				".lighthouse/ci/triggers.yaml": triggersHeader + "spec:\n  presubmits:\n  - name: pr\n    source: pr.yaml\n",
				".lighthouse/ci/pr.yaml":       pipelineRun + "  # image: uses:jenkins-x/jx3-pipeline-catalog/tasks/go/pullrequest.yaml@versionStream\n",
			},
			want: `.lighthouse/ci/pr.yaml: Lighthouse's image: uses: steps are not supported; write the steps out`,
		},
		{
			name: "source and a run spec",
			files: map[string]string{
				".lighthouse/ci/triggers.yaml": triggersHeader + "spec:\n  presubmits:\n  - name: pr\n    source: pr.yaml\n    pipeline_run_spec: {pipelineRef: {name: x}}\n",
				".lighthouse/ci/pr.yaml":       pipelineRun,
			},
			want: `.lighthouse/ci/triggers.yaml:6: presubmit "pr" of acme/widgets: exactly one of pipeline_run_spec, tekton_pipeline_run_spec or spec must be set`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tree := fstest.MapFS{}
			for name, content := range tc.files {
				tree[name] = &fstest.MapFile{Data: []byte(content)}
			}
			api := newContentsAPI(t, tree, repo, sha)
			_, err := inrepo.NewLoader(1).Load(t.Context(), api.provider(t), inrepo.Commit{Repo: repo, SHA: sha})
			if got := strings.TrimPrefix(errString(err), "triggers: "); got != tc.want {
				t.Errorf("error:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
