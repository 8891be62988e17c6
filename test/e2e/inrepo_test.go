package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// inRepoCentral is the central configuration beside the in-repo jobs.
const inRepoCentral = `
presubmits:
  acme/widgets:
  - name: unit
    always_run: true
    spec:
      containers:
      - image: busybox
        command: [sh, -c, "true"]
`

// lighthouseTriggers is a Lighthouse in-repo trigger file as jx writes
// them: the run definition is the PipelineRun in pullrequest.yaml.
const lighthouseTriggers = `apiVersion: config.lighthouse.jenkins-x.io/v1alpha1
kind: TriggerConfig
spec:
  presubmits:
  - name: pr
    context: "pr"
    always_run: true
    optional: false
    source: "pullrequest.yaml"
    pipeline_run_params:
    - name: PR_LABEL
      value_template: 'pr-{{ .PULL_NUMBER }}'
`

const lighthousePullRequest = `apiVersion: tekton.dev/v1beta1
kind: PipelineRun
metadata:
  name: widgets-pr
spec:
  pipelineSpec:
    params:
    - name: PR_LABEL
      type: string
    tasks:
    - name: from-build-pack
      params:
      - name: label
        value: $(params.PR_LABEL)
      taskSpec:
        params:
        - name: label
        steps:
        - name: test
          image: golang:1.22
          script: echo testing $(params.label)
`

// inRepoSettings opts every acme repository in to in-repo jobs.
func inRepoSettings(ns, apiURL string) string {
	return githubSettings(ns, apiURL) + "inRepoConfig:\n  repos: [\"acme/*\"]\n"
}

// inRepoAnswer is the part of fresnel's answer these tests read.
type inRepoAnswer struct {
	Runs []struct {
		Job     string `json:"job"`
		Created bool   `json:"created"`
	} `json:"runs"`
	Warnings []string `json:"warnings"`
}

func sendInRepo(t *testing.T, f *harness.Fresnel, event, delivery string, body []byte) inRepoAnswer {
	t.Helper()
	resp, data, err := f.Send("github", "public", harness.GitHubHeader(event, delivery, githubSecret, body), body)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	var ans inRepoAnswer
	if err := json.Unmarshal(data, &ans); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("answer %d: %s", resp.StatusCode, data)
	}
	return ans
}

func contentsCalls(gh *harness.FakeSCM) int {
	return len(gh.Calls(http.MethodGet, "/repos/"+repo+"/contents/"))
}

func TestInRepoLighthouseJobRunsAndIsReported(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	gh.GitHubContents(repo, headSHA, map[string]string{
		".lighthouse/jenkins-x/triggers.yaml":    lighthouseTriggers,
		".lighthouse/jenkins-x/pullrequest.yaml": lighthousePullRequest,
		"main.go":                                "package main\n",
	})
	f := startFresnel(t, stack.Kubeconfig, inRepoSettings(ns, gh.URL), inRepoCentral)

	body := harness.GitHubPullRequestEvent("opened", repo, 21, headSHA, "main")
	ans := sendInRepo(t, f, "pull_request", "inrepo-pr-21", body)
	if len(ans.Runs) != 2 || len(ans.Warnings) != 0 {
		t.Fatalf("answer %+v, want runs of pr and unit and no warnings", ans)
	}
	runs := listRuns(t, ns)
	if len(runs) != 2 {
		t.Fatalf("PipelineRuns = %d, want 2", len(runs))
	}
	for _, pr := range runs {
		if pr.Labels["fresnel.dev/job"] != "pr" {
			continue
		}
		p := params(pr)
		want := map[string]string{"PR_LABEL": "pr-21", "JOB_NAME": "pr", "JOB_TYPE": "presubmit", "PULL_NUMBER": "21", "PULL_PULL_SHA": headSHA}
		for name, value := range want {
			if p[name] != value {
				t.Errorf("param %s = %q, want %q", name, p[name], value)
			}
		}
		if spec := pr.Spec.PipelineSpec; spec == nil || len(spec.Tasks) != 1 || spec.Tasks[0].Name != "from-build-pack" {
			t.Errorf("the run is not pullrequest.yaml's PipelineRun: %+v", pr.Spec)
		}
	}

	// The same commit again: its files are not read again.
	cold := contentsCalls(gh)
	if again := sendInRepo(t, f, "pull_request", "inrepo-pr-21", body); len(again.Runs) != 2 {
		t.Fatalf("redelivery: %+v", again)
	}
	if n := contentsCalls(gh) - cold; n != 0 {
		t.Errorf("a second event on the commit made %d contents API calls, want 0", n)
	}
	t.Logf("contents API calls for the commit: %d", cold)

	checkFinalStates(t, gh, map[string]string{"pr": "success", "unit": "success"})
}

// checkFinalStates waits for the final statuses and checks them: exactly
// want, one per context.
func checkFinalStates(t *testing.T, gh *harness.FakeSCM, want map[string]string) {
	t.Helper()
	final := map[string]string{}
	for _, s := range waitStatuses(t, gh, want) {
		if s.State != "pending" {
			final[s.Context] = s.State
		}
	}
	if diff := cmp.Diff(want, final); diff != "" {
		t.Errorf("final statuses (-want +got):\n%s", diff)
	}
}

func TestInRepoInvalidTriggersFailsTheCommit(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	gh.GitHubContents(repo, headSHA, map[string]string{
		".lighthouse/jenkins-x/triggers.yaml":    strings.Replace(lighthouseTriggers, "always_run:", "alwyas_run:", 1),
		".lighthouse/jenkins-x/pullrequest.yaml": lighthousePullRequest,
	})
	f := startFresnel(t, stack.Kubeconfig, inRepoSettings(ns, gh.URL), inRepoCentral)

	body := harness.GitHubPullRequestEvent("opened", repo, 22, headSHA, "main")
	ans := sendInRepo(t, f, "pull_request", "inrepo-pr-22", body)
	if len(ans.Runs) != 1 || ans.Runs[0].Job != "unit" {
		t.Fatalf("runs = %+v, want the central unit job alone", ans.Runs)
	}
	if len(ans.Warnings) != 1 || !strings.Contains(ans.Warnings[0], "alwyas_run") {
		t.Errorf("warnings = %q, want one naming the problem", ans.Warnings)
	}
	want := `.lighthouse/jenkins-x/triggers.yaml:7: presubmit "pr" of acme/widgets: unknown field "alwyas_run"`
	var found bool
	for _, s := range gh.GitHubStatuses() {
		if s.Context == "fresnel/in-repo-config" {
			found = true
			if s.State != "failure" || s.Description != want || s.SHA != headSHA {
				t.Errorf("in-repo config status = %+v, want failure on %s saying %s", s, headSHA, want)
			}
		}
	}
	if !found {
		t.Fatalf("no fresnel/in-repo-config status; statuses %+v", gh.GitHubStatuses())
	}
	checkFinalStates(t, gh, map[string]string{"unit": "success", "fresnel/in-repo-config": "failure"})
}
