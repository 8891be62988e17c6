package fault

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// Server limits of this scenario: a request's headers must arrive within
// 3s, all of it within 2s once its headers are in.
const slowServer = "{readHeaderTimeout: 3s, readTimeout: 2s}"

// TestSlowAndIdleClients holds 500 connections open that send nothing
// and trickles a signed delivery's body a byte every 200ms. A normal
// delivery must still be answered at once, the trickled one with 408
// (then it is sent whole, as its SCM would), and fresnel must close the
// idle connections itself.
func TestSlowAndIdleClients(t *testing.T) {
	const idleConns = 500
	in := newInstall(t, "slow", slowServer)
	in.start()
	addr := strings.TrimPrefix(in.url(), "http://")
	idle := openIdle(t, addr, idleConns)
	slow, normal := githubDelivery("slow", 1), gitlabDelivery("slow", 2)
	ds := []delivery{slow, normal}
	tl := newTally()
	began := time.Now()
	loris := make(chan trickled, 1)
	go func() { loris <- trickle(addr, slow, 200*time.Millisecond, 15*time.Second) }()

	sent := time.Now()
	if status := in.send(tl, normal); status != http.StatusOK {
		t.Errorf("a normal delivery beside %d idle connections and a slow one: status %d, want 200", idleConns, status)
	}
	answeredIn := time.Since(sent)
	got := <-loris
	tl.record(slow, got.status)
	if got.err != nil || got.status != http.StatusRequestTimeout {
		t.Errorf("trickled body: status %d (%v) after %s, want 408", got.status, got.err, got.after.Round(time.Millisecond))
	}
	in.send(tl, slow)
	closed := closedByServer(idle, 10*time.Second)
	if closed != idleConns {
		t.Errorf("fresnel closed %d of %d idle connections within 10s; its read-header timeout is 3s", closed, idleConns)
	}
	name := fmt.Sprintf("slow-loris answered %d after %s, %d idle connections (%d closed by fresnel), a delivery beside them answered in %s",
		got.status, got.after.Round(time.Millisecond), idleConns, closed, answeredIn.Round(time.Millisecond))
	in.conclude(t, name, tl, ds, began)
}

// openIdle opens n connections to addr that send nothing; they are closed
// when the test ends.
func openIdle(t *testing.T, addr string, n int) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for range n {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("idle connection %d of %d: %v", len(conns)+1, n, err)
		}
		conns = append(conns, c)
	}
	return conns
}

// closedByServer counts the connections the server has closed (a read
// ends with EOF or a reset, not our deadline) by the deadline.
func closedByServer(conns []net.Conn, within time.Duration) int {
	deadline := time.Now().Add(within)
	closed := 0
	for _, c := range conns {
		_ = c.SetReadDeadline(deadline)
		_, err := c.Read(make([]byte, 1))
		var ne net.Error
		if err != nil && !(errors.As(err, &ne) && ne.Timeout()) {
			closed++
		}
	}
	return closed
}

// trickled is how the server answered a trickled delivery.
type trickled struct {
	status int
	after  time.Duration
	err    error
}

// trickle sends d's headers at once and its body a byte every interval,
// and reads the answer, giving up after limit.
func trickle(addr string, d delivery, every, limit time.Duration) trickled {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return trickled{err: err}
	}
	defer conn.Close()
	var head bytes.Buffer
	fmt.Fprintf(&head, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", harness.HookPath(d.provider, d.instance), addr, len(d.body))
	_ = d.header().Write(&head)
	head.WriteString("\r\n")
	start := time.Now()
	if _, err := conn.Write(head.Bytes()); err != nil {
		return trickled{err: err}
	}
	stop := make(chan struct{})
	defer close(stop)
	go dribble(conn, d.body, every, stop)
	_ = conn.SetReadDeadline(start.Add(limit))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return trickled{after: time.Since(start), err: err}
	}
	resp.Body.Close()
	return trickled{status: resp.StatusCode, after: time.Since(start)}
}

// dribble writes body a byte every interval until it is all sent, a write
// fails, or stop is closed.
func dribble(conn net.Conn, body []byte, every time.Duration, stop <-chan struct{}) {
	for _, b := range body {
		select {
		case <-stop:
			return
		case <-time.After(every):
		}
		if _, err := conn.Write([]byte{b}); err != nil {
			return
		}
	}
}
