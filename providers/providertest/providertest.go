// Package providertest loads real webhook payloads, compares parsed events
// with golden files, fakes SCM APIs and runs the Verify, parse error and
// fuzz tables every provider's tests share.
package providertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// Update rewrites golden files instead of comparing: go test ./providers/... -update
var Update = flag.Bool("update", false, "rewrite golden files")

// Payload is one recorded delivery.
type Payload struct {
	// Name identifies the payload in test names and golden file names.
	Name   string
	Body   []byte
	Header http.Header
}

// Request builds the POST request that delivers p.
func (p Payload) Request() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(p.Body))
	for k, vs := range p.Header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	return r
}

// RepoRoot is the project's root directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Shared loads the vendor-published payloads kept in
// test/testdata/webhooks/<dir>, with their .headers files when present.
func Shared(t testing.TB, dir string) []Payload {
	t.Helper()
	return loadDir(t, filepath.Join(RepoRoot(), "test", "testdata", "webhooks", dir), "shared-", nil)
}

// GoSCM loads the payloads go-scm ships for one driver, from the module
// cache; header says which headers a file name implies.
func GoSCM(t testing.TB, driver string, header func(name string) http.Header) []Payload {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/jenkins-x/go-scm").Output()
	if err != nil {
		t.Fatalf("locate go-scm module: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "scm", "driver", driver, "testdata", "webhooks")
	return loadDir(t, dir, "goscm-", header)
}

// ByPrefix is a header function for GoSCM. Each of events pairs the start
// of a file name with an event: the first pair whose prefix starts the name
// gives eventHeader (none if no pair matches); deliveryHeader is
// "delivery-" and the name.
func ByPrefix(eventHeader, deliveryHeader string, events [][2]string) func(name string) http.Header {
	return func(name string) http.Header {
		h := http.Header{}
		h.Set(deliveryHeader, "delivery-"+name)
		for _, e := range events {
			if prefix, event := e[0], e[1]; strings.HasPrefix(name, prefix) {
				h.Set(eventHeader, event)
				break
			}
		}
		return h
	}
}

func loadDir(t testing.TB, dir, prefix string, header func(string) http.Header) []Payload {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no payloads in %s (%v)", dir, err)
	}
	sort.Strings(files)
	payloads := make([]Payload, 0, len(files))
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		h := readHeaders(t, strings.TrimSuffix(f, ".json")+".headers")
		if header != nil {
			for k, v := range header(name) {
				h[k] = v
			}
		}
		payloads = append(payloads, Payload{Name: prefix + name, Body: body, Header: h})
	}
	return payloads
}

func readHeaders(t testing.TB, path string) http.Header {
	h := http.Header{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return h
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok {
			h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	return h
}

// Golden compares got, as indented JSON, with testdata/golden/<name>.golden
// in the calling package, or rewrites it under -update.
func Golden(t *testing.T, name string, got any) {
	t.Helper()
	data, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	path := filepath.Join("testdata", "golden", name+".golden")
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(data)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// Seeds adds every payload body to a fuzz corpus.
func Seeds(f *testing.F, payloads ...[]Payload) {
	for _, set := range payloads {
		for _, p := range set {
			f.Add(p.Body)
		}
	}
}

// Outcome is what parsing one payload gave: the HTTP status its error maps
// to, the error, and the event when there is one.
type Outcome struct {
	Status int          `json:"status"`
	Error  string       `json:"error,omitempty"`
	Event  *event.Event `json:"event,omitempty"`
}

// Parse parses p with parser and records the outcome.
func Parse(t testing.TB, parser providers.Parser, p Payload) Outcome {
	t.Helper()
	ev, err := parser.Parse(context.Background(), p.Request(), p.Body)
	out := Outcome{Status: providers.HTTPStatus(err)}
	if err != nil {
		out.Error = err.Error()
	}
	if err == nil {
		out.Event = &ev
	}
	return out
}

// goInternals matches what Go's decoder and runtime put in their errors
// and a sender should never read.
var goInternals = regexp.MustCompile(`Go (struct field|value of type)|runtime error|json: cannot unmarshal`)

// CheckTyped fails t if err is neither nil nor one of the typed provider
// errors, is a ParserPanic or names Go internals: a parser must never
// return anything the server maps to 500, a panic it recovered from is a
// bug, and a 400 says what is wrong in the payload's terms.
func CheckTyped(t testing.TB, err error) {
	t.Helper()
	if status := providers.HTTPStatus(err); status == http.StatusInternalServerError {
		t.Fatalf("untyped parse error (would be a 500): %v", err)
	}
	var p providers.ParserPanic
	if errors.As(err, &p) {
		t.Fatalf("the parser panicked (a bug: the body should have been refused first): %v", p.Value)
	}
	if err != nil && goInternals.MatchString(err.Error()) {
		t.Fatalf("the error names Go internals, not the payload's fields: %v", err)
	}
}
