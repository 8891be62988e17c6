package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/dispatch"
	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// testKind is a provider kind registered only in this package's tests.
const testKind = "server-test"

// fakeIntake verifies a token header and parses by body: "bad" is a bad
// payload, "ignore" is ignored, "boom" an internal error, anything else a
// pull request event. It counts its calls.
type fakeIntake struct {
	secret []byte
	mu     sync.Mutex
	verify int
	parse  int
}

func (p *fakeIntake) Verify(_ context.Context, r *http.Request, _ []byte) error {
	p.mu.Lock()
	p.verify++
	p.mu.Unlock()
	return providers.EqualToken(p.secret, r.Header.Get("X-Test-Token"))
}

func (p *fakeIntake) Parse(_ context.Context, r *http.Request, body []byte) (event.Event, error) {
	p.mu.Lock()
	p.parse++
	p.mu.Unlock()
	ev := event.Event{
		Delivery: r.Header.Get("X-Test-Delivery"), Kind: event.KindPullRequest, Action: event.ActionOpened,
		Repo: event.Repo{FullName: "org/repo"}, Number: 1, HeadSHA: "abc",
	}
	switch string(body) {
	case "bad":
		return ev, providers.BadPayload("no head SHA")
	case "ignore":
		return ev, providers.Ignore("event %q is not acted on", "star")
	case "boom":
		return ev, errors.New("parser exploded")
	case "panic":
		var missing *event.Comment
		ev.Body = missing.Body
	}
	return ev, nil
}

// Identify names the delivery by its X-Test-Delivery and X-Test-Event
// headers.
func (p *fakeIntake) Identify(r *http.Request, _ []byte) (delivery, name string) {
	return r.Header.Get("X-Test-Delivery"), r.Header.Get("X-Test-Event")
}

func (p *fakeIntake) counts() (verify, parse int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.verify, p.parse
}

func init() {
	providers.Register(testKind, func(cfg providers.Config) (providers.Intake, error) {
		return &fakeIntake{secret: cfg.Secret}, nil
	})
}

// fakeHandler launches one run per event, or fails when the delivery id
// says so.
type fakeHandler struct {
	mu     sync.Mutex
	events []event.Event
}

func (h *fakeHandler) Handle(_ context.Context, in providers.Instance, ev event.Event) (dispatch.Outcome, error) {
	h.mu.Lock()
	h.events = append(h.events, ev)
	h.mu.Unlock()
	out := dispatch.Outcome{
		Runs:    []launch.Run{{Name: "unit-0123456789", Job: "unit", Context: "ci/unit", Created: true}},
		Skipped: []triggers.Skip{{Job: "docs", Reason: "no changed file matches"}},
	}
	switch ev.Delivery {
	case "cluster-broken":
		return out, errors.New("launch: create PipelineRun: forbidden")
	case "cluster-down":
		return out, providers.Unavailable{Reason: "apiserver down", RetryAfter: 1500 * time.Millisecond}
	}
	return out, nil
}

const maxBody = 64

type fixture struct {
	srv     *Server
	handler *fakeHandler
	secure  *fakeIntake
	open    *fakeIntake
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	set, err := providers.NewSet([]providers.Config{
		{Kind: testKind, Name: "secure", Secret: []byte("tok")},
		{Kind: testKind, Name: "open", Insecure: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	log := logrus.New()
	log.SetOutput(io.Discard)
	h := &fakeHandler{}
	secure, _ := set.Get(testKind, "secure")
	open, _ := set.Get(testKind, "open")
	return &fixture{
		srv:     New(Options{Instances: set, Handler: h, MaxBodyBytes: maxBody, Log: log}),
		handler: h,
		secure:  secure.Intake.(*fakeIntake),
		open:    open.Intake.(*fakeIntake),
	}
}

// response is the JSON answer to a delivery.
type response struct {
	Delivery string          `json:"delivery"`
	Event    string          `json:"event"`
	Runs     []launch.Run    `json:"runs"`
	Skipped  []triggers.Skip `json:"skipped"`
	Ignored  string          `json:"ignored"`
	Error    string          `json:"error"`
}

func (f *fixture) do(t *testing.T, r *http.Request) (*httptest.ResponseRecorder, response) {
	t.Helper()
	w := httptest.NewRecorder()
	f.srv.Router().ServeHTTP(w, r)
	var resp response
	if strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatalf("answer %q is not JSON: %v", w.Body.String(), err)
		}
	}
	return w, resp
}

func delivery(path, token, id, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	if token != "" {
		r.Header.Set("X-Test-Token", token)
	}
	r.Header.Set("X-Test-Delivery", id)
	return r
}

func TestHookStatuses(t *testing.T) {
	tests := []struct {
		name       string
		req        *http.Request
		wantStatus int
		wantError  string
		wantVerify int
		wantParse  int
		wantHandle int
		// wantRetryAfter is the Retry-After header, in whole seconds.
		wantRetryAfter string
	}{
		{name: "GET", req: httptest.NewRequest(http.MethodGet, "/hook/server-test/secure", nil), wantStatus: 405, wantError: "method not allowed"},
		{name: "PUT", req: httptest.NewRequest(http.MethodPut, "/hook/server-test/secure", strings.NewReader("x")), wantStatus: 405, wantError: "method not allowed"},
		{name: "unknown provider", req: delivery("/hook/nope/secure", "tok", "d", "ok"), wantStatus: 404, wantError: "no provider instance nope/secure"},
		{name: "unknown instance", req: delivery("/hook/server-test/nope", "tok", "d", "ok"), wantStatus: 404, wantError: "no provider instance server-test/nope"},
		{name: "no instance in path", req: delivery("/hook/server-test", "tok", "d", "ok"), wantStatus: 404, wantError: "not found"},
		{name: "wrong token", req: delivery("/hook/server-test/secure", "nope", "d", "ok"), wantStatus: 401, wantError: "unauthorized", wantVerify: 1},
		{name: "no token", req: delivery("/hook/server-test/secure", "", "d", "ok"), wantStatus: 401, wantError: "unauthorized", wantVerify: 1},
		{name: "bad payload", req: delivery("/hook/server-test/secure", "tok", "d", "bad"), wantStatus: 400, wantError: "bad payload: no head SHA", wantVerify: 1, wantParse: 1},
		{name: "parser error", req: delivery("/hook/server-test/secure", "tok", "d", "boom"), wantStatus: 500, wantError: "parser exploded", wantVerify: 1, wantParse: 1},
		{name: "handler error", req: delivery("/hook/server-test/secure", "tok", "cluster-broken", "ok"), wantStatus: 500, wantError: "forbidden", wantVerify: 1, wantParse: 1, wantHandle: 1},
		{name: "cluster unavailable", req: delivery("/hook/server-test/secure", "tok", "cluster-down", "ok"), wantStatus: 503, wantRetryAfter: "2", wantError: "unavailable: apiserver down", wantVerify: 1, wantParse: 1, wantHandle: 1},
		{name: "ok", req: delivery("/hook/server-test/secure", "tok", "d", "ok"), wantStatus: 200, wantVerify: 1, wantParse: 1, wantHandle: 1},
		{name: "body at the limit", req: delivery("/hook/server-test/secure", "tok", "d", strings.Repeat("x", maxBody)), wantStatus: 200, wantVerify: 1, wantParse: 1, wantHandle: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			w, resp := f.do(t, tc.req)
			if w.Code != tc.wantStatus {
				t.Errorf("status = %d, want %d (body %s)", w.Code, tc.wantStatus, w.Body)
			}
			if got := w.Header().Get("Retry-After"); got != tc.wantRetryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tc.wantRetryAfter)
			}
			if !strings.Contains(resp.Error, tc.wantError) || (tc.wantError == "") != (resp.Error == "") {
				t.Errorf("error = %q, want one containing %q", resp.Error, tc.wantError)
			}
			verify, parse := f.secure.counts()
			if verify != tc.wantVerify || parse != tc.wantParse || len(f.handler.events) != tc.wantHandle {
				t.Errorf("Verify/Parse/Handle called %d/%d/%d times, want %d/%d/%d",
					verify, parse, len(f.handler.events), tc.wantVerify, tc.wantParse, tc.wantHandle)
			}
		})
	}
}

func TestHookAnswers(t *testing.T) {
	runs := []launch.Run{{Name: "unit-0123456789", Job: "unit", Context: "ci/unit", Created: true}}
	skipped := []triggers.Skip{{Job: "docs", Reason: "no changed file matches"}}
	tests := []struct {
		name string
		req  *http.Request
		want response
	}{
		{
			name: "runs",
			req:  delivery("/hook/server-test/secure", "tok", "d-1", "ok"),
			want: response{Delivery: "d-1", Event: "pull_request/opened org/repo#1", Runs: runs, Skipped: skipped},
		},
		{
			name: "ignored",
			req:  delivery("/hook/server-test/secure", "tok", "d-2", "ignore"),
			want: response{Delivery: "d-2", Event: "pull_request/opened org/repo#1", Ignored: `event "star" is not acted on`},
		},
		{
			name: "handler error keeps the runs made",
			req:  delivery("/hook/server-test/secure", "tok", "cluster-down", "ok"),
			want: response{Delivery: "cluster-down", Event: "pull_request/opened org/repo#1", Runs: runs, Skipped: skipped, Error: "unavailable: apiserver down"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			_, got := f.do(t, tc.req)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHookHandlerSeesInstance(t *testing.T) {
	f := newFixture(t)
	f.do(t, delivery("/hook/server-test/secure", "tok", "d-1", "ok"))
	if len(f.handler.events) != 1 {
		t.Fatalf("Handle called %d times, want 1", len(f.handler.events))
	}
	ev := f.handler.events[0]
	if ev.Provider != testKind || ev.Instance != "secure" || ev.Delivery != "d-1" {
		t.Errorf("handled event provider/instance/delivery = %s/%s/%s, want %s/secure/d-1", ev.Provider, ev.Instance, ev.Delivery, testKind)
	}
}

func TestHookInsecureSkipsVerify(t *testing.T) {
	f := newFixture(t)
	w, _ := f.do(t, delivery("/hook/server-test/open", "", "d-1", "ok"))
	if w.Code != http.StatusOK {
		t.Errorf("status = %d, want 200 (body %s)", w.Code, w.Body)
	}
	if verify, parse := f.open.counts(); verify != 0 || parse != 1 {
		t.Errorf("Verify/Parse called %d/%d times, want 0/1", verify, parse)
	}
}

// countingReader counts the bytes the server reads of a body, and those
// it read before its answer was flushed to w.
type countingReader struct {
	r            io.Reader
	w            *httptest.ResponseRecorder
	n, unflushed int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	if !c.w.Flushed {
		c.unflushed += n
	}
	return n, err
}

// TestHookBodyLimit checks that an oversized body is answered 413 after
// reading at most limit+1 bytes, and that the rest is read only after the
// answer went out, and only up to the drain bound.
func TestHookBodyLimit(t *testing.T) {
	tests := []struct {
		name          string
		contentLength int64
		maxUnanswered int
	}{
		{name: "with content length", contentLength: 10 * maxBody, maxUnanswered: 0},
		{name: "chunked, no content length", contentLength: -1, maxUnanswered: maxBody + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			w := httptest.NewRecorder()
			body := &countingReader{r: strings.NewReader(strings.Repeat("x", 10*maxBody)), w: w}
			r := httptest.NewRequest(http.MethodPost, "/hook/server-test/secure", body)
			r.ContentLength = tc.contentLength
			if tc.contentLength < 0 {
				r.TransferEncoding = []string{"chunked"}
			}
			r.Header.Set("X-Test-Token", "tok")
			f.srv.Router().ServeHTTP(w, r)
			if w.Code != http.StatusRequestEntityTooLarge || w.Header().Get("Connection") != "close" {
				t.Errorf("status = %d, Connection %q; want 413 and close (body %s)", w.Code, w.Header().Get("Connection"), w.Body)
			}
			if !strings.Contains(w.Body.String(), "limit of "+strconv.Itoa(maxBody)) {
				t.Errorf("answer %s does not name the limit", w.Body)
			}
			if body.unflushed > tc.maxUnanswered {
				t.Errorf("read %d bytes of the body before answering, want at most %d", body.unflushed, tc.maxUnanswered)
			}
			if body.n != 10*maxBody {
				t.Errorf("drained %d bytes of the body, want all %d (under the drain bound)", body.n, 10*maxBody)
			}
			if verify, parse := f.secure.counts(); verify != 0 || parse != 0 {
				t.Errorf("Verify/Parse called %d/%d times on an oversized body, want 0/0", verify, parse)
			}
		})
	}
}

func TestHealthAndReady(t *testing.T) {
	f := newFixture(t)
	get := func(path string) int {
		w := httptest.NewRecorder()
		f.srv.Router().ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w.Code
	}
	steps := []struct {
		name  string
		ready *bool
		path  string
		want  int
	}{
		{name: "healthz", path: "/healthz", want: 200},
		{name: "readyz before ready", path: "/readyz", want: 503},
		{name: "readyz when ready", ready: ptr(true), path: "/readyz", want: 200},
		{name: "readyz when no longer ready", ready: ptr(false), path: "/readyz", want: 503},
		{name: "healthz while not ready", path: "/healthz", want: 200},
	}
	for _, s := range steps {
		if s.ready != nil {
			f.srv.SetReady(*s.ready)
		}
		if got := get(s.path); got != s.want {
			t.Errorf("%s: GET %s = %d, want %d", s.name, s.path, got, s.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// scrape returns the value of one series on /metrics, and whether it is there.
func scrape(t *testing.T, h http.Handler, series string) (float64, bool) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", w.Code)
	}
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("metrics line %q: %v", line, err)
			}
			return f, true
		}
	}
	return 0, false
}

func TestMetricsCountDeliveries(t *testing.T) {
	f := newFixture(t)
	h := f.srv.Router()
	ok := `fresnel_webhooks_total{event="pull_request",instance="open",provider="server-test",result="200"}`
	ignored := `fresnel_webhooks_total{event="pull_request",instance="open",provider="server-test",result="ignored"}`
	okBefore, _ := scrape(t, h, ok)
	ignoredBefore, _ := scrape(t, h, ignored)

	f.do(t, delivery("/hook/server-test/open", "", "d-1", "ok"))
	f.do(t, delivery("/hook/server-test/open", "", "d-2", "ignore"))

	for _, c := range []struct {
		series string
		before float64
	}{{ok, okBefore}, {ignored, ignoredBefore}} {
		got, found := scrape(t, h, c.series)
		if !found || got != c.before+1 {
			t.Errorf("%s = %v (found %v), want %v", c.series, got, found, c.before+1)
		}
	}
}

func TestHTTPServerTimeouts(t *testing.T) {
	h := http.NotFoundHandler()
	s := HTTPServer(":1234", h, 1, 2, 3, 4)
	got := []any{s.Addr, s.ReadHeaderTimeout, s.ReadTimeout, s.WriteTimeout, s.IdleTimeout}
	want := []any{":1234", time.Duration(1), time.Duration(2), time.Duration(3), time.Duration(4)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("HTTPServer (-want +got):\n%s", diff)
	}
	if s.Handler == nil {
		t.Error("HTTPServer has no handler")
	}
}
