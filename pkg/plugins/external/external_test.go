package external

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/triggers"
)

// endpoint is an httptest plugin that records what it receives and
// answers with the statuses in answers, one per call (the last repeats).
type endpoint struct {
	*httptest.Server
	mu      sync.Mutex
	headers []http.Header
	bodies  [][]byte
	calls   atomic.Int32
	answers []int
	hang    chan struct{}
}

func newEndpoint(t *testing.T, answers ...int) *endpoint {
	t.Helper()
	e := &endpoint{answers: answers}
	e.Server = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.Close)
	return e
}

// newHangingEndpoint never answers until release is closed or the caller
// gives up.
func newHangingEndpoint(t *testing.T) (*endpoint, func()) {
	t.Helper()
	e := &endpoint{answers: []int{200}, hang: make(chan struct{})}
	e.Server = httptest.NewServer(http.HandlerFunc(e.serve))
	var once sync.Once
	release := func() { once.Do(func() { close(e.hang) }) }
	t.Cleanup(func() { release(); e.Close() })
	return e, release
}

func (e *endpoint) serve(w http.ResponseWriter, r *http.Request) {
	n := int(e.calls.Add(1))
	body, _ := io.ReadAll(r.Body)
	e.mu.Lock()
	e.headers = append(e.headers, r.Header.Clone())
	e.bodies = append(e.bodies, body)
	e.mu.Unlock()
	if e.hang != nil {
		select {
		case <-e.hang:
		case <-r.Context().Done():
			return
		}
	}
	w.WriteHeader(e.answers[min(n, len(e.answers))-1])
}

func quietLog() *logrus.Logger {
	log := logrus.New()
	log.SetOutput(io.Discard)
	return log
}

func plugins(byScope map[string][]triggers.ExternalPlugin) func() map[string][]triggers.ExternalPlugin {
	return func() map[string][]triggers.ExternalPlugin { return byScope }
}

// githubDelivery is a recorded GitHub pull_request delivery with the
// headers GitHub sends, plus credentials that must not be passed on.
func githubDelivery(t *testing.T) Delivery {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("..", "..", "..", "test", "testdata", "webhooks", "github", "octokit-pull-request-labeled.json"))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-GitHub-Event", "pull_request")
	h.Set("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
	h.Set("X-Hub-Signature-256", "sha256=d57c68ca6f92289e6987922ff26938930f6e66a2d161ef06abdf1859230aa23c")
	h.Set("X-GitHub-Hook-ID", "292430182")
	h.Set("Authorization", "Bearer not-for-plugins")
	h.Set("X-Gitlab-Token", "not-for-plugins")
	ev := event.Event{
		Provider: "github", Instance: "public", Delivery: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
		Kind: event.KindPullRequest, Repo: event.Repo{FullName: "acme/widgets"},
	}
	return FromRequest(ev, h, body)
}

// delta returns a function reporting how much metric grew since delta
// was called, so tests hold when run more than once in a process.
func delta(read func() float64) func() float64 {
	before := read()
	return func() float64 { return read() - before }
}

func deliveries(plugin, result string) func() float64 {
	return func() float64 {
		return testutil.ToFloat64(metrics.ExternalPluginDeliveries.WithLabelValues(plugin, result))
	}
}

func retries(plugin string) func() float64 {
	return func() float64 { return testutil.ToFloat64(metrics.ExternalPluginRetries.WithLabelValues(plugin)) }
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestForwardKeepsHeadersAndBody(t *testing.T) {
	ep := newEndpoint(t, 200)
	secret := []byte("plugin-secret")
	f := New(Options{
		Plugins: plugins(map[string][]triggers.ExternalPlugin{"acme": {{Name: "forward-bytes", Endpoint: ep.URL}}}),
		Secret:  func(string) []byte { return secret },
		Log:     quietLog(),
	})
	d := githubDelivery(t)
	if n := f.Queue(d); n != 1 {
		t.Fatalf("queued %d calls, want 1", n)
	}
	if err := f.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ep.calls.Load() != 1 {
		t.Fatalf("endpoint called %d times, want 1", ep.calls.Load())
	}
	if !bytes.Equal(ep.bodies[0], d.Body) {
		t.Errorf("body changed on the way: got %d bytes, sent %d", len(ep.bodies[0]), len(d.Body))
	}
	got := ep.headers[0]
	for _, name := range []string{"Content-Type", "X-GitHub-Event", "X-GitHub-Delivery", "X-Hub-Signature-256", "X-GitHub-Hook-ID"} {
		if got.Get(name) != d.Header.Get(name) {
			t.Errorf("%s = %q, want the original %q", name, got.Get(name), d.Header.Get(name))
		}
	}
	for _, name := range []string{"Authorization", "X-Gitlab-Token"} {
		if v := got.Get(name); v != "" {
			t.Errorf("%s was forwarded (%q); credentials stay with fresnel", name, v)
		}
	}
	want := map[string]string{
		HeaderProvider: "github", HeaderInstance: "public", HeaderEvent: "pull_request",
		HeaderDelivery: d.ID, HeaderSignature: Sign(secret, d.Body), "User-Agent": userAgent,
	}
	for name, v := range want {
		if got.Get(name) != v {
			t.Errorf("%s = %q, want %q", name, got.Get(name), v)
		}
	}
}

func TestSign(t *testing.T) {
	// The value GitHub documents for its X-Hub-Signature-256 example.
	got := Sign([]byte("It's a Secret to Everybody"), []byte("Hello, World!"))
	want := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name       string
		answers    []int
		wantCalls  int
		wantResult string
	}{
		{name: "answers at once", answers: []int{200}, wantCalls: 1, wantResult: ResultDelivered},
		{name: "two 503s then 202", answers: []int{503, 500, 202}, wantCalls: 3, wantResult: ResultDelivered},
		{name: "always 502", answers: []int{502}, wantCalls: 3, wantResult: ResultFailed},
		{name: "400 is not retried", answers: []int{400}, wantCalls: 1, wantResult: ResultFailed},
		{name: "404 is not retried", answers: []int{404, 200}, wantCalls: 1, wantResult: ResultFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ep := newEndpoint(t, tc.answers...)
			name := "retries " + tc.name
			delivered, retried := delta(deliveries(name, tc.wantResult)), delta(retries(name))
			f := New(Options{
				Plugins:  plugins(map[string][]triggers.ExternalPlugin{"acme/widgets": {{Name: name, Endpoint: ep.URL}}}),
				Attempts: 3, Backoff: time.Millisecond, Log: quietLog(),
			})
			f.Queue(githubDelivery(t))
			if err := f.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := int(ep.calls.Load()); got != tc.wantCalls {
				t.Errorf("endpoint called %d times, want %d", got, tc.wantCalls)
			}
			if got := delivered(); got != 1 {
				t.Errorf("deliveries{result=%s} = %v, want 1", tc.wantResult, got)
			}
			if got := retried(); got != float64(tc.wantCalls-1) {
				t.Errorf("retries = %v, want %d", got, tc.wantCalls-1)
			}
		})
	}
}

func TestNetworkErrorIsRetried(t *testing.T) {
	ep := newEndpoint(t, 200)
	url := ep.URL
	ep.Close() // nothing listens there any more
	failed, retried := delta(deliveries("gone", ResultFailed)), delta(retries("gone"))
	f := New(Options{
		Plugins:  plugins(map[string][]triggers.ExternalPlugin{"acme": {{Name: "gone", Endpoint: url}}}),
		Attempts: 2, Backoff: time.Millisecond, Log: quietLog(),
	})
	f.Queue(githubDelivery(t))
	if err := f.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := retried(); got != 1 {
		t.Errorf("retries = %v, want 1", got)
	}
	if got := failed(); got != 1 {
		t.Errorf("deliveries{result=failed} = %v, want 1", got)
	}
}

func TestTimeoutPerCall(t *testing.T) {
	ep, _ := newHangingEndpoint(t)
	failed := delta(deliveries("too slow", ResultFailed))
	f := New(Options{
		Plugins: plugins(map[string][]triggers.ExternalPlugin{"acme": {{Name: "too slow", Endpoint: ep.URL}}}),
		Timeout: 20 * time.Millisecond, Attempts: 2, Backoff: time.Millisecond, Log: quietLog(),
	})
	start := time.Now()
	f.Queue(githubDelivery(t))
	if err := f.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("two timed-out calls took %v", took)
	}
	if got := ep.calls.Load(); got != 2 {
		t.Errorf("endpoint called %d times, want 2 (a timeout is retried)", got)
	}
	if got := failed(); got != 1 {
		t.Errorf("deliveries{result=failed} = %v, want 1", got)
	}
}

func TestFullQueueDropsWithoutBlocking(t *testing.T) {
	ep, release := newHangingEndpoint(t)
	dropped, delivered := delta(deliveries("full queue", ResultDropped)), delta(deliveries("full queue", ResultDelivered))
	f := New(Options{
		Plugins: plugins(map[string][]triggers.ExternalPlugin{"acme": {{Name: "full queue", Endpoint: ep.URL}}}),
		Workers: 1, QueueSize: 2, Log: quietLog(),
	})
	d := githubDelivery(t)
	f.Queue(d)
	waitFor(t, "the worker to take the first call", func() bool { return ep.calls.Load() == 1 })
	start := time.Now()
	queued := 0
	for range 5 {
		queued += f.Queue(d)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("queueing into a full queue took %v; it must not block", took)
	}
	if queued != 2 {
		t.Errorf("queued %d more calls, want 2 (the queue's size)", queued)
	}
	if got := dropped(); got != 3 {
		t.Errorf("deliveries{result=dropped} = %v, want 3", got)
	}
	release()
	if err := f.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := delivered(); got != 3 {
		t.Errorf("deliveries{result=delivered} = %v, want 3", got)
	}
}

func TestShutdownDeadlineAbandons(t *testing.T) {
	ep, _ := newHangingEndpoint(t)
	abandoned := delta(deliveries("shutdown hang", ResultAbandoned))
	f := New(Options{
		Plugins: plugins(map[string][]triggers.ExternalPlugin{"acme": {{Name: "shutdown hang", Endpoint: ep.URL}}}),
		Workers: 1, Timeout: time.Minute, Log: quietLog(),
	})
	d := githubDelivery(t)
	f.Queue(d)
	f.Queue(d)
	waitFor(t, "the first call to start", func() bool { return ep.calls.Load() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := f.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want the deadline's error", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Shutdown took %v past a 50ms deadline", took)
	}
	if got := abandoned(); got != 2 {
		t.Errorf("deliveries{result=abandoned} = %v, want 2 (in flight and queued)", got)
	}
	if n := f.Queue(d); n != 0 {
		t.Errorf("queued %d calls after shutdown, want 0", n)
	}
}

func TestMatch(t *testing.T) {
	all := triggers.ExternalPlugin{Name: "all", Endpoint: "http://all"}
	prs := triggers.ExternalPlugin{Name: "prs", Endpoint: "http://prs", Events: []string{"pull_request"}}
	mrs := triggers.ExternalPlugin{Name: "mrs", Endpoint: "http://mrs", Events: []string{"Merge Request Hook"}}
	pushes := triggers.ExternalPlugin{Name: "pushes", Endpoint: "http://pushes", Events: []string{"push"}}
	byScope := map[string][]triggers.ExternalPlugin{
		"acme":                 {all, prs},
		"acme/widgets":         {prs, pushes},
		"acme/platform":        {mrs},
		"other/repo":           {all},
		"acme/platform/api/v2": {pushes},
	}
	tests := []struct {
		name  string
		repo  string
		names []string
		want  []string
	}{
		{name: "org entry, event filter", repo: "acme/gadgets", names: []string{"pull_request"}, want: []string{"all", "prs"}},
		{name: "repo and org entries, listed once", repo: "acme/widgets", names: []string{"pull_request"}, want: []string{"prs", "all"}},
		{name: "push", repo: "acme/widgets", names: []string{"push"}, want: []string{"pushes", "all"}},
		{name: "GitLab's own event name", repo: "acme/platform/api", names: []string{"pull_request", "Merge Request Hook"}, want: []string{"mrs", "all", "prs"}},
		{name: "other org", repo: "other/repo", names: []string{"issue_comment"}, want: []string{"all"}},
		{name: "nothing configured", repo: "nobody/repo", names: []string{"push"}, want: nil},
		{name: "a sibling org's prefix does not match", repo: "acme-labs/x", names: []string{"push"}, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range Match(byScope, tc.repo, tc.names) {
				got = append(got, p.Name)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Match (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromRequest(t *testing.T) {
	tests := []struct {
		name   string
		ev     event.Event
		header map[string]string
		body   string
		want   Delivery
	}{
		{
			name:   "GitHub names its own event",
			ev:     event.Event{Kind: event.KindComment, Repo: event.Repo{FullName: "acme/widgets"}},
			header: map[string]string{"X-GitHub-Event": "issue_comment"},
			want:   Delivery{Repo: "acme/widgets", Event: "issue_comment"},
		},
		{
			name:   "GitLab note: GitHub's name and GitLab's",
			ev:     event.Event{Kind: event.KindComment, Repo: event.Repo{FullName: "acme/platform/api"}},
			header: map[string]string{"X-Gitlab-Event": "Note Hook"},
			want:   Delivery{Repo: "acme/platform/api", Event: "issue_comment", SCMEvent: "Note Hook"},
		},
		{
			name:   "Bitbucket push",
			ev:     event.Event{Kind: event.KindPush, Repo: event.Repo{FullName: "acme/widgets"}},
			header: map[string]string{"X-Event-Key": "repo:push"},
			want:   Delivery{Repo: "acme/widgets", Event: "push", SCMEvent: "repo:push"},
		},
		{
			name:   "ignored GitHub event: repo read from the payload",
			header: map[string]string{"X-GitHub-Event": "check_run"},
			body:   `{"action":"completed","repository":{"full_name":"acme/widgets"}}`,
			want:   Delivery{Repo: "acme/widgets", Event: "check_run"},
		},
		{
			name:   "ignored GitLab event: repo read from the payload",
			header: map[string]string{"X-Gitlab-Event": "Pipeline Hook"},
			body:   `{"object_kind":"pipeline","project":{"path_with_namespace":"acme/platform/api"}}`,
			want:   Delivery{Repo: "acme/platform/api", SCMEvent: "Pipeline Hook"},
		},
		{
			name: "not JSON: no repo, so no plugin",
			body: `not json`,
			want: Delivery{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			got := FromRequest(tc.ev, h, []byte(tc.body))
			got.Header, got.Body = nil, nil
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("FromRequest (-want +got):\n%s", diff)
			}
		})
	}
}
