package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	runmeta "github.com/fresnel-ci/fresnel/pkg/run"
	"github.com/fresnel-ci/fresnel/test/harness"
)

// catchupJobs has two presubmits that every pull request runs.
const catchupJobs = `
presubmits:
  acme/widgets:
  - name: unit
    always_run: true
    spec:
      containers:
      - image: busybox
        command: [sh, -c, "true"]
  - name: lint
    always_run: true
    spec:
      containers:
      - image: busybox
        command: [sh, -c, "true"]
`

// TestCatchupAfterOutageRunsEveryEventOnce stops fresnel's way to the
// apiserver while four pull request events arrive (each answered 5xx).
// Three went through GitHub's hook, whose log the stand-in keeps; the
// fourth's failure is in no log GitHub would show. Once the apiserver is
// back, fresnel asks GitHub to redeliver the three and reconciles the
// open pull requests for the fourth: every head commit then has one run
// of each job, none twice, and the runs say which way they came.
func TestCatchupAfterOutageRunsEveryEventOnce(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	kc := proxiedKubeconfig(t)
	kubeconfig, proxy := kc.path, kc.proxy
	settings := githubSettings(ns, gh.URL) + "catchup: {interval: 1s, settle: 3s}\n"
	f := startFresnel(t, kubeconfig, settings, catchupJobs)
	hook := gh.GitHubHook(repo, 77, f.URL+harness.HookPath("github", "public"), githubSecret)

	const pulls = 4
	var open []harness.GitHubOpenPull
	for n := 1; n <= pulls; n++ {
		open = append(open, harness.GitHubOpenPull{Number: n, HeadSHA: fmt.Sprintf("%040x", 0xca7c0+n), BaseRef: "main", Updated: time.Now()})
	}
	// An open pull request nobody touched during the outage: left alone.
	stale := fmt.Sprintf("%040x", 0x57a1e)
	untouched := harness.GitHubOpenPull{Number: 99, HeadSHA: stale, BaseRef: "main", Updated: time.Now().Add(-time.Hour)}
	gh.GitHubOpenPullRequests(repo, append(append([]harness.GitHubOpenPull{}, open...), untouched))

	proxy.SetDown(true)
	for _, p := range open {
		body := harness.GitHubPullRequestEvent("synchronize", repo, p.Number, p.HeadSHA, "main")
		guid := fmt.Sprintf("guid-%d", p.Number)
		var status int
		var err error
		if p.Number < pulls {
			status, err = hook.Deliver("pull_request", guid, body)
		} else {
			var ans hookAnswer
			status, ans = send(t, f, "github", "public", harness.GitHubHeader("pull_request", guid, githubSecret, body), body)
			err = fmt.Errorf("%s", ans.Error)
		}
		if status < 500 {
			t.Fatalf("pull %d with the apiserver unreachable: status %d (%v), want 5xx", p.Number, status, err)
		}
	}
	proxy.SetDown(false)

	waitFor(t, "one run of each job on every head commit", func() bool { return len(runsBySHAJob(t, ns)) == 2*pulls })
	// Redeliveries that came late, or a second round, would show now.
	time.Sleep(6 * time.Second)
	hook.Wait()

	got := runsBySHAJob(t, ns)
	for _, p := range open {
		for _, job := range []string{"unit", "lint"} {
			deliveries := got[p.HeadSHA+"/"+job]
			want := fmt.Sprintf("guid-%d", p.Number)
			if p.Number == pulls {
				want = "catchup-" + p.HeadSHA
			}
			if len(deliveries) != 1 || deliveries[0] != want {
				t.Errorf("pull %d job %s: runs from deliveries %v, want exactly [%s]", p.Number, job, deliveries, want)
			}
		}
	}
	if len(got) != 2*pulls {
		t.Errorf("runs by commit and job = %v, want %d entries", got, 2*pulls)
	}
	for key := range got {
		if strings.HasPrefix(key, stale) {
			t.Errorf("the untouched pull request got runs: %s", key)
		}
	}
	if r := hook.Redeliveries(); len(r) != pulls-1 {
		t.Errorf("redeliveries asked of GitHub = %v, want one for each of the %d logged failures", r, pulls-1)
	}
	if n := len(gh.Calls(http.MethodPost, "/repos/"+repo+"/hooks/77/deliveries/")); n != pulls-1 {
		t.Errorf("POST .../attempts calls = %d, want %d", n, pulls-1)
	}
}

// runsBySHAJob maps "sha/job" to the deliveries its runs came from.
func runsBySHAJob(t *testing.T, ns string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, pr := range listRuns(t, ns) {
		key := pr.Annotations[runmeta.AnnotationSHA] + "/" + pr.Labels[runmeta.LabelJob]
		out[key] = append(out[key], pr.Annotations[runmeta.AnnotationDelivery])
	}
	return out
}

// TestCatchupGitLabResendsOrReconciles: merge request events arrive on a
// GitLab instance while fresnel cannot reach the apiserver. GitLab 17.4
// and later resend the two its hook logged as server failures (same
// Idempotency-Key, so the runs carry the first delivery's id) and the
// reconcile starts the third; a GitLab without the hook events API gets
// all three through the reconcile. Each job runs once per head commit.
func TestCatchupGitLabResendsOrReconciles(t *testing.T) {
	tests := []struct {
		name        string
		unsupported bool
	}{
		{name: "GitLab 17.4+ resends"},
		{name: "older GitLab: reconcile only", unsupported: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ns := newNamespace(t)
			gl := harness.NewFakeGitLab()
			defer gl.Close()
			kubeconfig := proxiedKubeconfig(t)
			token := []byte("e2e-gitlab-corp")
			settings := fmt.Sprintf(`namespace: %s
prow:
  config: config.yaml
providers:
- {kind: gitlab, name: corp, url: %s, secret: {file: gitlab-secret}, token: {file: gitlab-token}}
catchup: {interval: 1s, settle: 3s}
`, ns, gl.URL)
			f := startFresnelFiles(t, kubeconfig.path, settings, map[string]string{
				"config.yaml": catchupJobs, "gitlab-secret": string(token), "gitlab-token": "glpat-e2e"})
			hook := gl.GitLabHook(repo, 5, f.URL+harness.HookPath("gitlab", "corp"), token)
			hook.Unsupported = tc.unsupported

			const mrs = 3
			var open []harness.GitLabOpenMergeRequest
			for iid := 1; iid <= mrs; iid++ {
				open = append(open, harness.GitLabOpenMergeRequest{IID: iid, SHA: fmt.Sprintf("%040x", 0x91ab0+iid), Source: fmt.Sprintf("feature-%d", iid), Target: "main", Updated: time.Now()})
			}
			gl.GitLabOpenMergeRequests(repo, open)

			kubeconfig.proxy.SetDown(true)
			for _, mr := range open {
				body := harness.GitLabMergeRequestEvent("open", repo, mr.IID, mr.SHA, mr.Source, mr.Target)
				key := fmt.Sprintf("gl-%d", mr.IID)
				var status int
				if mr.IID < mrs {
					status, _ = hook.Deliver("Merge Request Hook", key, body)
				} else {
					status, _ = send(t, f, "gitlab", "corp", harness.GitLabHeader("Merge Request Hook", key, token), body)
				}
				if status < 500 {
					t.Fatalf("merge request %d with the apiserver unreachable: status %d, want 5xx", mr.IID, status)
				}
			}
			kubeconfig.proxy.SetDown(false)

			waitFor(t, "one run of each job on every head commit", func() bool { return len(runsBySHAJob(t, ns)) == 2*mrs })
			time.Sleep(5 * time.Second)
			got := runsBySHAJob(t, ns)
			for _, mr := range open {
				want := fmt.Sprintf("gl-%d", mr.IID)
				if mr.IID == mrs || tc.unsupported {
					want = "catchup-" + mr.SHA
				}
				for _, job := range []string{"unit", "lint"} {
					if d := got[mr.SHA+"/"+job]; len(d) != 1 || d[0] != want {
						t.Errorf("merge request %d job %s: runs from deliveries %v, want exactly [%s]", mr.IID, job, d, want)
					}
				}
			}
			wantResent := mrs - 1
			if tc.unsupported {
				wantResent = 0
			}
			if r := hook.Resent(); len(r) != wantResent {
				t.Errorf("events resent = %v, want %d", r, wantResent)
			}
		})
	}
}

// proxied is a kubeconfig whose apiserver connection goes through a
// proxy the test can switch off.
type proxied struct {
	path  string
	proxy *harness.Proxy
}

func proxiedKubeconfig(t *testing.T) proxied {
	t.Helper()
	proxy, err := harness.NewProxy(strings.TrimPrefix(stack.Rest.Host, "https://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	path, err := harness.KubeconfigVia(stack.Kubeconfig, proxy.Addr, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return proxied{path: path, proxy: proxy}
}
