package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/dispatch"
	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/providers"
	_ "github.com/fresnel-ci/fresnel/providers/all" // every real provider kind
)

// Fuzz modes: how a fuzzed delivery reaches its instance.
const (
	modeUnsigned = iota // an instance with a secret, the headers as fuzzed
	modeSigned          // the same instance, the delivery signed with its secret
	modeInsecure        // an instance without a secret: straight to the parser
	modeCount
)

// fuzzMaxBody is the body limit of the fuzzed server: above the seeds,
// low enough for the fuzzer to reach a 413.
const fuzzMaxBody = 64 << 10

// signers sign a delivery for each real provider kind as its SCM does.
var signers = map[string]func(r *http.Request, secret, body []byte){
	"github": func(r *http.Request, secret, body []byte) {
		r.Header.Set("X-Hub-Signature-256", providers.SignSHA256(secret, body))
	},
	"gitlab": func(r *http.Request, secret, _ []byte) { r.Header.Set("X-Gitlab-Token", string(secret)) },
	"bitbucketcloud": func(r *http.Request, secret, body []byte) {
		r.Header.Set("X-Hub-Signature", providers.SignSHA256(secret, body))
	},
	"bitbucketserver": func(r *http.Request, secret, body []byte) {
		r.Header.Set("X-Hub-Signature", providers.SignSHA256(secret, body))
	},
	"gerrit": func(r *http.Request, secret, _ []byte) { r.URL.RawQuery = "token=" + url.QueryEscape(string(secret)) },
}

// acceptHandler stands in for dispatch: it accepts every event, and fails
// the fuzz run when one that reaches it lacks its kind or repository.
type acceptHandler struct{ t *testing.T }

func (h *acceptHandler) Handle(_ context.Context, _ providers.Instance, ev event.Event) (dispatch.Outcome, error) {
	if ev.Kind == "" || (ev.Kind != event.KindPing && ev.Repo.FullName == "") {
		h.t.Fatalf("an event without kind or repository was dispatched: %+v", ev)
	}
	return dispatch.Outcome{}, nil
}

// hookFuzzer is one server with two instances of every real provider
// kind: "secure", with a secret drawn at start (so a fuzzed delivery can
// never carry a valid signature by chance), and "open", insecure.
type hookFuzzer struct {
	srv     *Server
	handler *acceptHandler
	kinds   []string
	secret  []byte
}

func newHookFuzzer(f *testing.F) *hookFuzzer {
	f.Helper()
	api := httptest.NewServer(http.NotFoundHandler()) // no SCM API call leaves the machine
	f.Cleanup(api.Close)
	h := &hookFuzzer{secret: []byte(rand.Text()), handler: &acceptHandler{}}
	var cfgs []providers.Config
	for _, kind := range providers.Kinds() {
		if _, real := signers[kind]; !real {
			continue // this package's own test kind
		}
		h.kinds = append(h.kinds, kind)
		cfgs = append(cfgs,
			providers.Config{Kind: kind, Name: "secure", Secret: h.secret, URL: api.URL},
			providers.Config{Kind: kind, Name: "open", Insecure: true, URL: api.URL})
	}
	if len(h.kinds) != len(signers) {
		f.Fatalf("registered kinds %v: want every kind of %v", h.kinds, slices.Sorted(maps.Keys(signers)))
	}
	set, err := providers.NewSet(cfgs)
	if err != nil {
		f.Fatal(err)
	}
	log := logrus.New()
	log.SetOutput(io.Discard)
	h.srv = New(Options{Instances: set, Handler: h.handler, MaxBodyBytes: fuzzMaxBody, Log: log})
	return h
}

// index is kind's place in h.kinds, the fuzz input that picks it.
func (h *hookFuzzer) index(f *testing.F, kind string) uint8 {
	i := slices.Index(h.kinds, kind)
	if i < 0 {
		f.Fatalf("no provider kind %q", kind)
	}
	return uint8(i)
}

// request builds the delivery: headers are "Name: value" lines.
func (h *hookFuzzer) request(kind string, mode uint8, headers string, body []byte) *http.Request {
	instance := "secure"
	if mode == modeInsecure {
		instance = "open"
	}
	r := httptest.NewRequest(http.MethodPost, "/hook/"+kind+"/"+instance, strings.NewReader(string(body)))
	sc := bufio.NewScanner(strings.NewReader(headers))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		name = strings.TrimSpace(name)
		if ok && name != "" && !strings.ContainsAny(name, " \t\r\n") {
			r.Header.Add(name, strings.TrimSpace(value))
		}
	}
	if mode == modeSigned {
		signers[kind](r, h.secret, body)
	}
	return r
}

// allowedStatus lists what docs/operations.md and docs/architecture.md
// say a delivery to a known instance is answered: handled or ignored,
// a bad payload, refused verification, or a body over the limit.
var allowedStatus = []int{http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge}

// FuzzHook sends arbitrary headers and bodies through the HTTP handler to
// every provider kind, unsigned, signed and to an insecure instance: the
// answer is JSON with a documented status, never a 500 or another code,
// a delivery without a valid signature is a 401, and no parser panics
// (fresnel_parser_panics_total does not move).
func FuzzHook(f *testing.F) {
	h := newHookFuzzer(f)
	f.Add(h.index(f, "github"), uint8(modeSigned), "X-GitHub-Event: ping\nX-GitHub-Delivery: d-1", []byte(`{"zen":"x","hook_id":1}`))
	f.Add(h.index(f, "gitlab"), uint8(modeInsecure), "X-Gitlab-Event: Merge Request Hook", []byte(`null`))
	f.Fuzz(func(t *testing.T, kindIndex, mode uint8, headers string, body []byte) {
		kind := h.kinds[int(kindIndex)%len(h.kinds)]
		mode %= modeCount
		panics := testutil.ToFloat64(metrics.ParserPanics.WithLabelValues(kind))
		h.handler.t = t
		w := httptest.NewRecorder()
		h.srv.Router().ServeHTTP(w, h.request(kind, mode, headers, body))
		checkAnswer(t, w, mode)
		if after := testutil.ToFloat64(metrics.ParserPanics.WithLabelValues(kind)); after != panics {
			t.Fatalf("%s: the parser panicked (fresnel_parser_panics_total %v -> %v); answer %d %s", kind, panics, after, w.Code, w.Body)
		}
	})
}

// checkAnswer fails t unless the answer has a documented status and a
// JSON body, and is a 401 when the delivery was not signed.
func checkAnswer(t *testing.T, w *httptest.ResponseRecorder, mode uint8) {
	t.Helper()
	if !slices.Contains(allowedStatus, w.Code) {
		t.Fatalf("status %d is not one of %v: %s", w.Code, allowedStatus, w.Body)
	}
	if mode == modeUnsigned && w.Code != http.StatusUnauthorized && w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("an unsigned delivery was answered %d, want 401: %s", w.Code, w.Body)
	}
	var answer map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &answer); err != nil {
		t.Fatalf("answer %d %q is not JSON: %v", w.Code, w.Body, err)
	}
}
