package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/plugins/external"
	"github.com/fresnel-ci/fresnel/triggers"
)

// TestHookAnswersWhileExternalPluginHangs sends a delivery whose external
// plugin never answers: the webhook's answer must not wait for it, and the
// plugin must still receive the delivery's body.
func TestHookAnswersWhileExternalPluginHangs(t *testing.T) {
	release := make(chan struct{})
	var got atomic.Value
	plugin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got.Store(string(body))
		<-release
	}))
	defer plugin.Close()
	defer close(release)

	f := newFixture(t)
	fwd := external.New(external.Options{
		Plugins: func() map[string][]triggers.ExternalPlugin {
			return map[string][]triggers.ExternalPlugin{"org": {{Name: "hangs", Endpoint: plugin.URL}}}
		},
		Log: f.srv.opts.Log,
	})
	f.srv.opts.Forwarder = fwd

	start := time.Now()
	w, resp := f.do(t, delivery("/hook/server-test/secure", "tok", "d-hang", "pr"))
	if w.Code != http.StatusOK || len(resp.Runs) != 1 {
		t.Fatalf("answer %d %+v, want 200 with the run", w.Code, resp)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("the answer took %v while the plugin hung", took)
	}
	deadline := time.Now().Add(5 * time.Second)
	for got.Load() == nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if got.Load() != "pr" {
		t.Errorf("plugin received %v, want the delivery's body", got.Load())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := fwd.Shutdown(ctx); err == nil {
		t.Error("Shutdown with a hanging call in flight returned no error past its deadline")
	}
}

// TestHookForwardsOnlyVerifiedDeliveries: a delivery that fails
// verification or parsing reaches no plugin; an ignored one does.
func TestHookForwardsOnlyVerifiedDeliveries(t *testing.T) {
	tests := []struct {
		name  string
		token string
		body  string
		want  int32
	}{
		{name: "verified", token: "tok", body: "pr", want: 1},
		{name: "ignored", token: "tok", body: "ignore", want: 1},
		{name: "wrong token", token: "nope", body: "pr", want: 0},
		{name: "bad payload", token: "tok", body: "bad", want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			plugin := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { calls.Add(1) }))
			defer plugin.Close()
			f := newFixture(t)
			fwd := external.New(external.Options{
				Plugins: func() map[string][]triggers.ExternalPlugin {
					return map[string][]triggers.ExternalPlugin{"org/repo": {{Name: "verified-" + tc.name, Endpoint: plugin.URL}}}
				},
				Log: f.srv.opts.Log,
			})
			f.srv.opts.Forwarder = fwd
			f.do(t, delivery("/hook/server-test/secure", tc.token, "d-"+tc.name, tc.body))
			if err := fwd.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := calls.Load(); got != tc.want {
				t.Errorf("plugin called %d times, want %d", got, tc.want)
			}
		})
	}
}
