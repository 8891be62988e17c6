package providertest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Reply is a recorded answer of an SCM API.
type Reply struct {
	Status int
	Header http.Header
	Body   string
}

// Request is what a fake API received: the escaped path (so a%2Fb stays
// as sent), the raw query, the Authorization header and the body.
type Request struct {
	Method string
	Path   string
	Query  string
	Auth   string
	Body   string
}

// JSON decodes the request body, failing t if it is not JSON.
func (r Request) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v: %s", r.Method, r.Path, err, r.Body)
	}
	return m
}

// API is an httptest server that answers like an SCM API from recorded
// replies and records every request. Replies are keyed by
// "METHOD /escaped/path?query" or, for any query, "METHOD /escaped/path".
// A request without a reply fails the test and gets a 404.
type API struct {
	*httptest.Server
	mu       sync.Mutex
	requests []Request
}

// NewAPI starts a fake API; it stops when the test ends.
func NewAPI(t testing.TB, replies map[string]Reply) *API {
	t.Helper()
	a := &API{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"), Body: string(body)}
		a.mu.Lock()
		a.requests = append(a.requests, req)
		a.mu.Unlock()
		reply, ok := replies[req.Method+" "+req.Path+"?"+req.Query]
		if !ok {
			reply, ok = replies[req.Method+" "+req.Path]
		}
		if !ok {
			t.Errorf("fake API: unexpected %s %s?%s", req.Method, req.Path, req.Query)
			http.NotFound(w, r)
			return
		}
		for k, vs := range reply.Header {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(reply.Status)
		_, _ = io.WriteString(w, reply.Body)
	}))
	t.Cleanup(a.Close)
	return a
}

// Requests returns what the API received so far, in order.
func (a *API) Requests() []Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Request(nil), a.requests...)
}

// Only returns the one request the API received, failing t unless there
// was exactly one and it was method on target: the escaped path, with "?"
// and the raw query when there is one.
func (a *API) Only(t testing.TB, method, target string) Request {
	t.Helper()
	got := a.Requests()
	if len(got) != 1 || got[0].Method != method || got[0].target() != target {
		t.Fatalf("requests = %+v, want one %s %s", got, method, target)
	}
	return got[0]
}

func (r Request) target() string {
	if r.Query == "" {
		return r.Path
	}
	return r.Path + "?" + r.Query
}

// Unreachable starts a server that fails the test on any request: give a
// provider its URL to prove parsing never calls the API.
func Unreachable(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("parsing called the API: %s %s", r.Method, r.URL)
		http.Error(w, "no API calls while parsing", http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
