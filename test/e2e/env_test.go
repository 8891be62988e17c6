package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// notLabelSafe matches what a namespace name cannot hold.
var notLabelSafe = regexp.MustCompile(`[^a-z0-9-]+`)

// newNamespace makes a fresh namespace (with its default ServiceAccount)
// for one test.
func newNamespace(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("e2e-%s-%d", notLabelSafe.ReplaceAllString(strings.ToLower(t.Name()), "-"), time.Now().UnixNano()%1e6)
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	name = strings.Trim(name, "-")
	if err := stack.Namespace(t.Context(), name); err != nil {
		t.Fatalf("namespace %s: %v", name, err)
	}
	return name
}

// githubSettings is fresnel.yaml for one GitHub instance named "public".
func githubSettings(ns, apiURL string) string {
	return fmt.Sprintf(`namespace: %s
prow:
  config: config.yaml
report:
  targetURL: "https://dashboard.example.com/runs/{{.Namespace}}/{{.Name}}"
providers:
- kind: github
  name: public
  url: %s
  secret: {file: github-hmac}
  token: {file: github-token}
`, ns, apiURL)
}

var githubSecret = []byte("e2e-hmac-secret")

// startFresnel runs fresnel all with the given settings and job config.
func startFresnel(t *testing.T, kubeconfig, settings, config string) *harness.Fresnel {
	t.Helper()
	files := map[string]string{"config.yaml": config, "github-hmac": string(githubSecret), "github-token": "ghp_e2e"}
	return startFresnelFiles(t, kubeconfig, settings, files)
}

// startFresnelFiles runs fresnel all with the given settings and files
// (config.yaml, secrets) beside them.
func startFresnelFiles(t *testing.T, kubeconfig, settings string, files map[string]string) *harness.Fresnel {
	t.Helper()
	f, err := harness.StartFresnel(t.Context(), t.TempDir(), harness.FresnelOptions{
		Binary: binary, Kubeconfig: kubeconfig, Settings: settings, Files: files,
	})
	if err != nil {
		t.Fatalf("start fresnel: %v", err)
	}
	t.Cleanup(func() {
		f.Stop()
		if t.Failed() {
			t.Logf("fresnel logs:\n%s", f.Logs())
		}
	})
	return f
}

// hookAnswer is fresnel's JSON answer to a delivery.
type hookAnswer struct {
	Delivery string `json:"delivery"`
	Event    string `json:"event"`
	Ignored  string `json:"ignored"`
	Error    string `json:"error"`
	Runs     []struct {
		Name    string `json:"name"`
		Job     string `json:"job"`
		Context string `json:"context"`
		Created bool   `json:"created"`
	} `json:"runs"`
	Skipped []struct {
		Job    string `json:"job"`
		Reason string `json:"reason"`
	} `json:"skipped"`
	Cancelled []string `json:"cancelled"`
}

// send posts a delivery and decodes the answer, failing on transport errors.
func send(t *testing.T, f *harness.Fresnel, provider, instance string, header http.Header, body []byte) (int, hookAnswer) {
	t.Helper()
	return sendPath(t, f, harness.HookPath(provider, instance), header, body)
}

// sendPath is send to a hook path that may carry a query.
func sendPath(t *testing.T, f *harness.Fresnel, path string, header http.Header, body []byte) (int, hookAnswer) {
	t.Helper()
	resp, data, err := f.SendPath(path, header, body)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	var ans hookAnswer
	if err := json.Unmarshal(data, &ans); err != nil {
		t.Fatalf("answer is not JSON (%d): %s", resp.StatusCode, data)
	}
	return resp.StatusCode, ans
}

func listRuns(t *testing.T, ns string) []pipelinev1.PipelineRun {
	t.Helper()
	list, err := stack.Tekton.TektonV1().PipelineRuns(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "fresnel.dev/managed=true"})
	if err != nil {
		t.Fatalf("list PipelineRuns: %v", err)
	}
	return list.Items
}

func params(pr pipelinev1.PipelineRun) map[string]string {
	out := map[string]string{}
	for _, p := range pr.Spec.Params {
		out[p.Name] = p.Value.StringVal
	}
	return out
}

// waitStatuses waits until the fake GitHub has received a final status for
// every context in want, and returns the statuses.
func waitStatuses(t *testing.T, gh *harness.FakeSCM, want map[string]string) []harness.GitHubStatus {
	t.Helper()
	var got []harness.GitHubStatus
	err := harness.WaitFor(90*time.Second, 200*time.Millisecond, func() (bool, error) {
		got = gh.GitHubStatuses()
		final := map[string]string{}
		for _, s := range got {
			if s.State != "pending" {
				final[s.Context] = s.State
			}
		}
		return len(final) >= len(want), nil
	})
	if err != nil {
		t.Fatalf("final statuses: want %v, got %+v", want, got)
	}
	return got
}
