package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sirupsen/logrus"
)

// TestHookNamesEveryDelivery checks that every answer, and its log line,
// carries the delivery id and the event name the SCM sent, whether the
// delivery was handled, ignored or refused.
func TestHookNamesEveryDelivery(t *testing.T) {
	tests := map[string]struct {
		token, body string
		status      int
	}{
		"handled":         {token: "tok", body: "ok", status: http.StatusOK},
		"ignored":         {token: "tok", body: "ignore", status: http.StatusOK},
		"bad payload":     {token: "tok", body: "bad", status: http.StatusBadRequest},
		"unauthorized":    {token: "wrong", body: "ok", status: http.StatusUnauthorized},
		"too large":       {token: "tok", body: strings.Repeat("x", maxBody+1), status: http.StatusRequestEntityTooLarge},
		"parser panicked": {token: "tok", body: "panic", status: http.StatusBadRequest},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			var logs bytes.Buffer
			f.srv.opts.Log.SetOutput(&logs)
			f.srv.opts.Log.SetFormatter(&logrus.JSONFormatter{})
			r := delivery("/hook/server-test/secure", tc.token, "d-"+name, tc.body)
			r.Header.Set("X-Test-Event", "pull_request")
			w, resp := f.do(t, r)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d (%s)", w.Code, tc.status, w.Body)
			}
			if resp.Delivery != "d-"+name || resp.Event != "pull_request" {
				t.Errorf("answer names delivery %q, event %q; want %q, %q", resp.Delivery, resp.Event, "d-"+name, "pull_request")
			}
			var line struct{ Delivery, Event string }
			if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
				t.Fatalf("log %q is not one JSON line: %v", logs.String(), err)
			}
			if line.Delivery != "d-"+name || line.Event != "pull_request" {
				t.Errorf("log line names delivery %q, event %q; want %q, %q", line.Delivery, line.Event, "d-"+name, "pull_request")
			}
		})
	}
}

// TestHookCountsParserPanics checks that a panic in a parser is a 400
// that names no Go internals, logged as a bug and counted.
func TestHookCountsParserPanics(t *testing.T) {
	f := newFixture(t)
	var logs bytes.Buffer
	f.srv.opts.Log.SetOutput(&logs)
	h := f.srv.Router()
	series := `fresnel_parser_panics_total{provider="server-test"}`
	before, _ := scrape(t, h, series)
	w, resp := f.do(t, delivery("/hook/server-test/secure", "tok", "d-1", "panic"))
	if w.Code != http.StatusBadRequest || resp.Error != "bad payload: the parser failed on this payload" {
		t.Errorf("answer %d %q, want 400 without Go internals", w.Code, resp.Error)
	}
	if got, _ := scrape(t, h, series); got != before+1 {
		t.Errorf("%s = %v, want %v", series, got, before+1)
	}
	if !strings.Contains(logs.String(), "level=error") || !strings.Contains(logs.String(), "nil pointer dereference") || !strings.Contains(logs.String(), "fakeIntake).Parse") {
		t.Errorf("log %q does not report the panic and where it was as an error", logs.String())
	}
}

// serveTCP serves the fixture's router on 127.0.0.1 with the given read
// timeout and returns its address.
func serveTCP(t *testing.T, f *fixture, readTimeout time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := HTTPServer("", f.srv.Router(), time.Second, readTimeout, 10*time.Second, time.Second)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// TestHookSlowBodyIs408 sends the headers and part of a body, then
// stalls past the server's read timeout: the client must read a 408.
func TestHookSlowBodyIs408(t *testing.T) {
	f := newFixture(t)
	addr := serveTCP(t, f, 300*time.Millisecond)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /hook/server-test/secure HTTP/1.1\r\nHost: x\r\nX-Test-Token: tok\r\nX-Test-Delivery: slow-1\r\nX-Test-Event: push\r\nContent-Length: 40\r\n\r\nok")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Errorf("status = %d, want 408 (%s)", resp.StatusCode, body)
	}
	var answer response
	if err := json.Unmarshal(body, &answer); err != nil || answer.Delivery != "slow-1" || answer.Event != "push" {
		t.Errorf("answer %s (%v): want delivery slow-1, event push", body, err)
	}
	if verify, parse := f.secure.counts(); verify != 0 || parse != 0 {
		t.Errorf("Verify/Parse called %d/%d times on a body that never came, want 0/0", verify, parse)
	}
}

// TestHookTooLargeIsRead sends bodies over the limit over TCP as a
// simple client does, writing the whole body before it reads: it must read
// the 413, not a connection reset, as long as the body is within the drain
// bound.
func TestHookTooLargeIsRead(t *testing.T) {
	// Past what the kernel's socket buffers take in, under the drain
	// bound (twice the limit).
	const limit, size = 8 << 20, 15 << 20
	tests := map[string]struct {
		header string
		body   []byte
	}{
		"declared length": {header: fmt.Sprintf("Content-Length: %d", size), body: bytes.Repeat([]byte("x"), size)},
		"chunked":         {header: "Transfer-Encoding: chunked", body: chunked(bytes.Repeat([]byte("x"), size), 64<<10)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.opts.MaxBodyBytes = limit
			conn, err := net.Dial("tcp", serveTCP(t, f, 10*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprintf(conn, "POST /hook/server-test/secure HTTP/1.1\r\nHost: x\r\nX-Test-Token: tok\r\nX-Test-Delivery: big-1\r\n%s\r\n\r\n", tc.header)
			if _, err := conn.Write(tc.body); err != nil {
				t.Fatalf("writing the body: %v", err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("client did not read an answer: %v", err)
			}
			defer resp.Body.Close()
			answer, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(answer), "over the limit") {
				t.Errorf("answer %d %s, want 413 naming the limit", resp.StatusCode, answer)
			}
			if !resp.Close {
				t.Error("the answer does not close the connection")
			}
		})
	}
}

// chunked encodes body in chunks of size n, with the closing chunk.
func chunked(body []byte, n int) []byte {
	var b bytes.Buffer
	for len(body) > 0 {
		c := body[:min(n, len(body))]
		fmt.Fprintf(&b, "%x\r\n%s\r\n", len(c), c)
		body = body[len(c):]
	}
	b.WriteString("0\r\n\r\n")
	return b.Bytes()
}

// TestHookTooLargeWithExpectContinue sends only the headers of an
// oversized delivery that waits for 100 Continue: the client reads the 413
// at once and the server closes the connection without waiting for a body
// that will not come.
func TestHookTooLargeWithExpectContinue(t *testing.T) {
	f := newFixture(t)
	conn, err := net.Dial("tcp", serveTCP(t, f, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	_ = conn.SetDeadline(start.Add(10 * time.Second))
	fmt.Fprintf(conn, "POST /hook/server-test/secure HTTP/1.1\r\nHost: x\r\nX-Test-Token: tok\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n", 1<<20)
	reader := bufio.NewReader(conn)
	resp, err := http.ReadResponse(reader, nil)
	if err != nil {
		t.Fatalf("client did not read an answer: %v", err)
	}
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status = %d, want 413", resp.StatusCode)
	}
	if _, err := reader.ReadByte(); err != io.EOF {
		t.Errorf("after the answer: %v, want the connection closed", err)
	}
	if took := time.Since(start); took > drainTimeout/2 {
		t.Errorf("the server took %v to close, waiting for a body that does not come", took)
	}
}

// TestHookCutsLongNames checks that a delivery id or event name longer
// than maxNameLen is cut before it is echoed.
func TestHookCutsLongNames(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("é", maxNameLen)
	r := delivery("/hook/server-test/secure", "wrong", long, "ok")
	r.Header.Set("X-Test-Event", long)
	_, resp := f.do(t, r)
	for name, got := range map[string]string{"delivery": resp.Delivery, "event": resp.Event} {
		if len(got) > maxNameLen+len("...") || !strings.HasPrefix(long, strings.TrimSuffix(got, "...")) || !utf8.ValidString(got) {
			t.Errorf("%s = %q (%d bytes), want at most %d bytes of the header, whole runes", name, got, len(got), maxNameLen)
		}
	}
}
