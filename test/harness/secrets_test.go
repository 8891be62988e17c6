package harness

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/app"
)

// leakProvider is one provider instance of the secrets test: its stand-in,
// the secret it verifies deliveries with, the API token it calls with,
// and the deliveries it is sent.
type leakProvider struct {
	kind, name, username string
	fake                 *FakeSCM
	secret, token        string
	// deliveries are keyed by what they test: "pull request", "comment",
	// "forged", "malformed", "ignored".
	deliveries func(secret []byte) map[string]delivery
}

// wantStatus is the answer each delivery gets while every API answers.
var wantStatus = map[string]int{"pull request": 200, "comment": 200, "forged": 401, "malformed": 400, "ignored": 200, "basic auth": 200}

func leakProviders() []leakProvider {
	return []leakProvider{githubLeak(), gitlabLeak(), bitbucketCloudLeak(), bitbucketServerLeak(), gerritLeak()}
}

func distinct(kind, what string) string { return "Zq7-" + kind + "-" + what + "-k3Xv9pW" }

func githubLeak() leakProvider {
	const repo = "acme/widgets"
	fake := NewFakeGitHub()
	fake.GitHubPullRequest(repo, 7, testSHA, "main", []string{"main.go"})
	return leakProvider{kind: "github", name: "public", fake: fake, secret: distinct("github", "secret"), token: distinct("github", "token"),
		deliveries: func(s []byte) map[string]delivery {
			pr := GitHubPullRequestEvent("opened", repo, 7, testSHA, "main")
			comment := GitHubPullRequestComment(repo, 7, "bob", "/test all\n/hold")
			path := HookPath("github", "public")
			return map[string]delivery{
				"pull request": {path, GitHubHeader("pull_request", "gh-pr", s, pr), pr},
				"comment":      {path, GitHubHeader("issue_comment", "gh-c", s, comment), comment},
				"forged":       {path, GitHubHeader("pull_request", "gh-f", []byte("wrong"), pr), pr},
				"malformed":    {path, GitHubHeader("pull_request", "gh-m", s, malformed), malformed},
				"ignored":      {path, GitHubHeader("star", "gh-i", s, []byte(`{"action":"created"}`)), []byte(`{"action":"created"}`)},
			}
		}}
}

var malformed = []byte(`{"pull_request": [`)

func gitlabLeak() leakProvider {
	const project = "platform/team/tools"
	fake := NewFakeGitLab()
	fake.GitLabMergeRequest(project, 7, testSHA, "feature", "main", []string{"main.go"})
	return leakProvider{kind: "gitlab", name: "main", fake: fake, secret: distinct("gitlab", "secret"), token: distinct("gitlab", "token"),
		deliveries: func(s []byte) map[string]delivery {
			pr := GitLabMergeRequestEvent("open", project, 7, testSHA, "feature", "main")
			note := GitLabMergeRequestNote(project, 7, testSHA, "feature", "main", "bob", "/test all\n/hold")
			path := HookPath("gitlab", "main")
			return map[string]delivery{
				"pull request": {path, GitLabHeader("Merge Request Hook", "gl-pr", s), pr},
				"comment":      {path, GitLabHeader("Note Hook", "gl-c", s), note},
				"forged":       {path, GitLabHeader("Merge Request Hook", "gl-f", []byte("wrong")), pr},
				"malformed":    {path, GitLabHeader("Merge Request Hook", "gl-m", s), malformed},
				"ignored":      {path, GitLabHeader("Wiki Page Hook", "gl-i", s), []byte(`{"object_kind":"wiki_page"}`)},
			}
		}}
}

func bitbucketCloudLeak() leakProvider {
	const repo = "acme/widgets"
	fake := NewFakeBitbucketCloud()
	fake.BitbucketCloudPullRequest(repo, 7, testHash, "feature", "main", []string{"main.go"})
	return leakProvider{kind: "bitbucketcloud", name: "cloud", fake: fake, secret: distinct("bbc", "secret"), token: distinct("bbc", "token"),
		deliveries: func(s []byte) map[string]delivery {
			pr := BitbucketCloudPullRequestEvent(repo, 7, testHash, "feature", "main")
			comment := BitbucketCloudPullRequestComment(repo, 7, testHash, "feature", "main", "bob", "/test all\n/hold")
			path := HookPath("bitbucketcloud", "cloud")
			other := []byte(`{"repository":{"full_name":"acme/widgets"}}`)
			return map[string]delivery{
				"pull request": {path, BitbucketCloudHeader("pullrequest:created", "bbc-pr", s, pr), pr},
				"comment":      {path, BitbucketCloudHeader("pullrequest:comment_created", "bbc-c", s, comment), comment},
				"forged":       {path, BitbucketCloudHeader("pullrequest:created", "bbc-f", []byte("wrong"), pr), pr},
				"malformed":    {path, BitbucketCloudHeader("pullrequest:created", "bbc-m", s, malformed), malformed},
				"ignored":      {path, BitbucketCloudHeader("repo:fork", "bbc-i", s, other), other},
			}
		}}
}

func bitbucketServerLeak() leakProvider {
	const repo = "ACME/widgets"
	fake := NewFakeBitbucketServer()
	fake.BitbucketServerPullRequest(repo, 7, testSHA, "feature", "main", []string{"main.go"})
	return leakProvider{kind: "bitbucketserver", name: "dc", fake: fake, secret: distinct("bbs", "secret"), token: distinct("bbs", "token"),
		deliveries: func(s []byte) map[string]delivery {
			pr := BitbucketServerPullRequestEvent("pr:opened", repo, 7, testSHA, "feature", "main")
			comment := BitbucketServerPullRequestComment(repo, 7, testSHA, "feature", "main", "bob", "/test all\n/hold")
			path := HookPath("bitbucketserver", "dc")
			other := []byte(`{"eventKey":"repo:forked"}`)
			return map[string]delivery{
				"pull request": {path, BitbucketServerHeader("pr:opened", "bbs-pr", s, pr), pr},
				"comment":      {path, BitbucketServerHeader("pr:comment:added", "bbs-c", s, comment), comment},
				"forged":       {path, BitbucketServerHeader("pr:opened", "bbs-f", []byte("wrong"), pr), pr},
				"malformed":    {path, BitbucketServerHeader("pr:opened", "bbs-m", s, malformed), malformed},
				"ignored":      {path, BitbucketServerHeader("repo:forked", "bbs-i", s, other), other},
			}
		}}
}

func gerritLeak() leakProvider {
	const project = "acme/widgets"
	fake := NewFakeGerrit()
	fake.GerritChange(project, 7, testSHA, []string{"main.go"})
	return leakProvider{kind: "gerrit", name: "review", username: "fresnel-ci", fake: fake, secret: distinct("gerrit", "secret"), token: distinct("gerrit", "token"),
		deliveries: func(s []byte) map[string]delivery {
			pr := GerritPatchsetCreated(project, 7, 1, testSHA, "main")
			comment := GerritCommentAdded(project, 7, 1, testSHA, "main", "bob", "/test all\n/hold")
			other := []byte(`{"type":"ref-replicated","project":"acme/widgets","eventCreatedOn":1700000000}`)
			return map[string]delivery{
				"pull request": {GerritHookPath("review", s), GerritHeader(), pr},
				"comment":      {GerritHookPath("review", s), GerritHeader(), comment},
				"forged":       {GerritHookPath("review", []byte("wrong")), GerritHeader(), pr},
				"malformed":    {GerritHookPath("review", s), GerritHeader(), malformed},
				"ignored":      {GerritHookPath("review", s), GerritHeader(), other},
				"basic auth":   {HookPath("gerrit", "review"), gerritBasicAuth(s), GerritCommentAdded(project, 7, 1, testSHA, "main", "bob", "looks good")},
			}
		}}
}

// gerritBasicAuth is the header of a delivery whose token is the Basic
// auth password, as the webhooks plugin sends it when its remote has
// credentials.
func gerritBasicAuth(token []byte) http.Header {
	h := GerritHeader()
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("gerrit:"+string(token))))
	return h
}

// recorder stands in for an external plugin: it keeps the headers and
// body of every delivery forwarded to it.
type recorder struct {
	mu       sync.Mutex
	received []string
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var head strings.Builder
	_ = r.Header.Write(&head)
	rc.mu.Lock()
	rc.received = append(rc.received, r.URL.String()+"\n"+head.String()+"\n"+string(body))
	rc.mu.Unlock()
}

func (rc *recorder) all() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.received)
}

// outage sits in front of a stand-in: while down is set every call is
// answered 500 with an SCM-style error body; otherwise the stand-in answers.
type outage struct {
	down atomic.Bool
	next http.Handler
}

func (o *outage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if o.down.Load() {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"message":"Server Error","errors":[{"message":"internal error"}]}`)
		return
	}
	o.next.ServeHTTP(w, r)
}

// fakeKube answers the PipelineRun calls fresnel makes: creates are
// echoed back, lists are empty; while down is set every call is a 500.
func fakeKube(down *atomic.Bool) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		body, _ := io.ReadAll(r.Body)
		switch {
		case down.Load():
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"etcdserver: request timed out","reason":"InternalError","code":500}`)
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(body)
		default:
			_, _ = io.WriteString(w, `{"kind":"PipelineRunList","apiVersion":"tekton.dev/v1","metadata":{},"items":[]}`)
		}
	}))
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// leakSetup writes fresnel.yaml, the Prow files, the secret files and a
// kubeconfig into dir, sets the token variables, and returns the
// settings path and every string that must never be shown.
func leakSetup(t *testing.T, dir string, ps []leakProvider, fronts []*httptest.Server, kubeURL, pluginURL string, port int) (string, []string) {
	t.Helper()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var settings strings.Builder
	kubeToken, signingKey := distinct("kube", "token"), distinct("external", "secret")
	write("external.secret", signingKey)
	fmt.Fprintf(&settings, "namespace: ci\nprow: {config: config.yaml, plugins: plugins.yaml}\nserver: {address: \"127.0.0.1:%d\"}\nexternalPlugins: {secret: {file: external.secret}}\nproviders:\n", port)
	secrets := append(shownForms(kubeToken, ""), shownForms(signingKey, "")...)
	for i, p := range ps {
		env := "FRESNEL_LEAK_TOKEN_" + strings.ToUpper(p.kind)
		t.Setenv(env, p.token)
		write(p.kind+".secret", p.secret+"\n")
		fmt.Fprintf(&settings, "- {kind: %s, name: %s, url: %q, username: %q, secret: {file: %s.secret}, token: {env: %s}}\n", p.kind, p.name, fronts[i].URL, p.username, p.kind, env)
		secrets = append(secrets, shownForms(p.secret, "")...)
		secrets = append(secrets, shownForms(p.token, p.username)...)
	}
	write("fresnel.yaml", settings.String())
	write("config.yaml", leakJobs)
	plugins := "plugins:\n  acme: [trigger, hold]\n  ACME: [trigger, hold]\n  platform: [trigger, hold]\nexternal_plugins:\n"
	for _, repo := range []string{"acme/widgets", "ACME/widgets", "platform/team/tools"} {
		plugins += fmt.Sprintf("  %s:\n  - name: recorder\n    endpoint: %s\n", repo, pluginURL)
	}
	write("plugins.yaml", plugins)
	write("kubeconfig", fmt.Sprintf("apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: %q}}]\nusers: [{name: u, user: {token: %q}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n", kubeURL, kubeToken))
	return filepath.Join(dir, "fresnel.yaml"), secrets
}

const leakJobs = `presubmits:
  acme/widgets: &jobs
  - name: unit
    always_run: true
    spec: {containers: [{image: alpine, command: ["true"]}]}
  ACME/widgets: *jobs
  platform/team/tools: *jobs
`

// shownForms are the ways a secret could show up: as it is, URL-escaped,
// base64 (a Basic auth header, alone or after a user name).
func shownForms(secret, user string) []string {
	forms := []string{secret, base64.StdEncoding.EncodeToString([]byte(secret))}
	if user != "" {
		forms = append(forms, base64.StdEncoding.EncodeToString([]byte(user+":"+secret)))
	}
	return forms
}

// leakRound says which of the SCM APIs and the apiserver fail while the
// deliveries are sent.
type leakRound struct {
	name              string
	scmDown, kubeDown bool
}

// leakRounds run in this order: trust answers are cached, so the SCM
// outage comes before any call succeeds.
var leakRounds = []leakRound{
	{name: "SCM and cluster down", scmDown: true, kubeDown: true},
	{name: "cluster down", kubeDown: true},
	{name: "healthy"},
}

// TestSecretsNeverShown runs the webhook role with every provider kind
// configured with distinctive webhook secrets and API tokens, sends each
// valid, forged, malformed and ignored deliveries while every SCM API and
// the apiserver fail, while only the apiserver fails, and while all answer, and asserts no
// log line, answer body or metric shows a secret or a token.
func TestSecretsNeverShown(t *testing.T) {
	ps := leakProviders()
	fronts := make([]*httptest.Server, len(ps))
	outages := make([]*outage, len(ps))
	for i, p := range ps {
		defer p.fake.Close()
		outages[i] = &outage{next: p.fake.Config.Handler}
		fronts[i] = httptest.NewServer(outages[i])
		defer fronts[i].Close()
	}
	var kubeDown atomic.Bool
	kube := fakeKube(&kubeDown)
	defer kube.Close()
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	plugin := &recorder{}
	pluginServer := httptest.NewServer(plugin)
	defer pluginServer.Close()
	settingsPath, secrets := leakSetup(t, dir, ps, fronts, kube.URL, pluginServer.URL, port)
	logs := &syncBuffer{}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	stop := startWebhook(t, settingsPath, filepath.Join(dir, "kubeconfig"), logs, base)

	var shown []string
	for _, round := range leakRounds {
		kubeDown.Store(round.kubeDown)
		for _, o := range outages {
			o.down.Store(round.scmDown)
		}
		for _, p := range ps {
			for what, d := range p.deliveries([]byte(p.secret)) {
				status, body := post(t, base, d)
				shown = append(shown, fmt.Sprintf("answer to %s %s (%s): %s", p.kind, what, round.name, body))
				checkStatus(t, round, p.kind, what, status, body)
			}
		}
	}
	metricsText := get(t, base+"/metrics")
	stop() // sends the deliveries still queued for the external plugin
	forwarded := plugin.all()
	if len(forwarded) == 0 {
		t.Error("the external plugin received nothing")
	}
	for _, f := range forwarded {
		shown = append(shown, "delivery forwarded to an external plugin: "+f)
	}
	checkTokensUsed(t, ps)
	for _, s := range secrets {
		for _, text := range shown {
			if strings.Contains(text, s) {
				t.Errorf("secret %q shown in %s", s, text)
			}
		}
		if strings.Contains(logs.String(), s) {
			t.Errorf("secret %q shown in the logs:\n%s", s, logs.String())
		}
		if strings.Contains(metricsText, s) {
			t.Errorf("secret %q shown in /metrics", s)
		}
	}
	if !strings.Contains(logs.String(), "webhook handled") || !strings.Contains(metricsText, "fresnel_webhooks_total") {
		t.Errorf("nothing to check: logs %d bytes, metrics %d bytes", len(logs.String()), len(metricsText))
	}
}

// startWebhook runs the webhook role in this process until stop is
// called (or the test ends); stop returns once it has shut down.
func startWebhook(t *testing.T, settingsPath, kubeconfig string, logs io.Writer, base string) (stop func()) {
	t.Helper()
	log := logrus.New()
	log.SetOutput(logs)
	log.SetFormatter(&logrus.JSONFormatter{})
	log.SetLevel(logrus.DebugLevel)
	logrus.SetOutput(logs)
	a, err := app.New(app.Options{SettingsPath: settingsPath, Kubeconfig: kubeconfig, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.RunWebhook(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				var once sync.Once
				stop = func() { once.Do(func() { cancel(); <-done; logrus.SetOutput(os.Stderr) }) }
				t.Cleanup(stop)
				return stop
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	t.Fatalf("webhook not ready: %v", <-done)
	return nil
}

func post(t *testing.T, base string, d delivery) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+d.path, bytes.NewReader(d.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = d.header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// checkStatus asserts that forged, malformed and ignored deliveries get
// their documented answers, and that valid ones succeed when all answers
// and fail with a 5xx otherwise (so the errors of the SCM and the
// apiserver really were on the answer's path).
func checkStatus(t *testing.T, round leakRound, kind, what string, status int, body string) {
	t.Helper()
	want := wantStatus[what]
	if what == "pull request" || what == "comment" {
		switch {
		case round.scmDown: // the trust question fails first
			want = http.StatusInternalServerError
		case round.kubeDown:
			want = http.StatusServiceUnavailable
		}
	}
	if status != want {
		t.Errorf("%s %s (%s): %d %s, want %d", kind, what, round.name, status, body, want)
	}
	if what == "ignored" && !strings.Contains(body, `"ignored"`) {
		t.Errorf("%s %s (%s): %s, want an ignored reason", kind, what, round.name, body)
	}
}

// checkTokensUsed asserts each stand-in received calls carrying its token,
// so the tokens did pass through fresnel.
func checkTokensUsed(t *testing.T, ps []leakProvider) {
	t.Helper()
	for _, p := range ps {
		used := false
		for _, c := range p.fake.Calls("", "") {
			auth, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(c.Auth, "Basic "))
			used = used || strings.Contains(c.Auth, p.token) || strings.Contains(string(auth), p.token)
		}
		if !used {
			t.Errorf("%s: no call to the stand-in carried the token (%d calls)", p.kind, len(p.fake.Calls("", "")))
		}
	}
}
