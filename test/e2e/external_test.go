package e2e

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/plugins/external"
	"github.com/fresnel-ci/fresnel/test/harness"
)

// TestExternalPluginGetsTheDelivery: the binary forwards a verified
// delivery to plugins.yaml's external plugin byte for byte, with GitHub's
// headers and fresnel's signature, and answers the webhook without
// waiting for the plugin.
func TestExternalPluginGetsTheDelivery(t *testing.T) {
	ns := newNamespace(t)
	gh := harness.NewFakeGitHub()
	defer gh.Close()
	type received struct {
		header http.Header
		body   []byte
	}
	var mu sync.Mutex
	var got []received
	release := make(chan struct{})
	plugin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.Header.Clone(), body})
		mu.Unlock()
		<-release // the plugin is slow: the webhook must not wait for it
	}))
	defer plugin.Close()
	defer close(release)

	settings := strings.Replace(githubSettings(ns, gh.URL), "  config: config.yaml\n", "  config: config.yaml\n  plugins: plugins.yaml\n", 1) +
		"externalPlugins:\n  secret: {file: plugin-key}\n"
	f := startFresnelFiles(t, stack.Kubeconfig, settings, map[string]string{
		"config.yaml":  "presubmits: {}\n",
		"plugins.yaml": "plugins:\n  acme: [trigger]\nexternal_plugins:\n  acme/widgets:\n  - name: recorder\n    endpoint: " + plugin.URL + "\n    events: [issue_comment]\n",
		"plugin-key":   "plugin-secret",
		"github-hmac":  string(githubSecret),
		"github-token": "ghp_e2e",
	})

	body := harness.GitHubPullRequestComment(repo, 31, "alice", "looks good")
	header := harness.GitHubHeader("issue_comment", "external-1", githubSecret, body)
	start := time.Now()
	status, ans := send(t, f, "github", "public", header, body)
	if status != http.StatusOK {
		t.Fatalf("status %d, answer %+v", status, ans)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the webhook answered after %v while the plugin hung", took)
	}
	waitFor(t, "the plugin to receive the delivery", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1
	})
	mu.Lock()
	r := got[0]
	mu.Unlock()
	if !bytes.Equal(r.body, body) {
		t.Errorf("body changed on the way: %d bytes, sent %d", len(r.body), len(body))
	}
	for _, name := range []string{"X-GitHub-Event", "X-GitHub-Delivery", "X-Hub-Signature-256"} {
		if r.header.Get(name) != header.Get(name) {
			t.Errorf("%s = %q, want %q", name, r.header.Get(name), header.Get(name))
		}
	}
	if want := external.Sign([]byte("plugin-secret"), body); r.header.Get(external.HeaderSignature) != want {
		t.Errorf("%s = %q, want %q", external.HeaderSignature, r.header.Get(external.HeaderSignature), want)
	}
	if r.header.Get(external.HeaderProvider) != "github" || r.header.Get(external.HeaderInstance) != "public" {
		t.Errorf("provider headers %q/%q", r.header.Get(external.HeaderProvider), r.header.Get(external.HeaderInstance))
	}
}
