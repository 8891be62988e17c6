package server

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"
	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/dispatch"
	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/providers"
)

// hookResponse is the JSON body of every answer to a delivery; runs and
// skipped jobs appear once the event was dispatched.
// Delivery and Event name the delivery as the SCM did, for every answer:
// handled, ignored or refused. Summary is fresnel's reading of the event
// ("pull_request/opened org/repo#1") once it parsed.
type hookResponse struct {
	Delivery string `json:"delivery,omitempty"`
	Event    string `json:"event,omitempty"`
	Summary  string `json:"summary,omitempty"`
	Ignored  string `json:"ignored,omitempty"`
	Error    string `json:"error,omitempty"`
	*dispatch.Outcome
	// panicked is the parser's panic, for the log.
	panicked *providers.ParserPanic
	// retryAfter, when set, goes out as the Retry-After header of a 503.
	retryAfter time.Duration
}

func (s *Server) hook(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	vars := mux.Vars(r)
	in, ok := s.opts.Instances.Get(vars["provider"], vars["instance"])
	if !ok {
		writeJSON(w, http.StatusNotFound, hookResponse{Error: fmt.Sprintf("no provider instance %s/%s", vars["provider"], vars["instance"])})
		return
	}
	log := s.opts.Log.WithFields(logrus.Fields{"provider": in.Kind, "instance": in.Name})
	status, resp, ev := s.handleHook(r, in, log)
	metrics.Webhooks.WithLabelValues(in.Kind, in.Name, string(ev.Kind), result(status, resp)).Inc()
	metrics.WebhookDuration.WithLabelValues(in.Kind, in.Name).Observe(time.Since(start).Seconds())
	log = log.WithFields(logrus.Fields{"delivery": resp.Delivery, "event": resp.Event, "repo": ev.Repo.FullName, "summary": resp.Summary, "status": status})
	logAnswer(log, status, resp)
	if status == http.StatusRequestEntityTooLarge || status == http.StatusRequestTimeout {
		w.Header().Set("Connection", "close")
	}
	if status == http.StatusRequestEntityTooLarge {
		s.answerTooLarge(w, r, resp)
		return
	}
	if resp.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((resp.retryAfter+time.Second-1)/time.Second)))
	}
	writeJSON(w, status, resp)
}

// logAnswer writes the one log line of a delivery.
func logAnswer(log *logrus.Entry, status int, resp hookResponse) {
	switch {
	case resp.panicked != nil:
		p := resp.panicked
		log.WithFields(logrus.Fields{"error": resp.Error, "panic": fmt.Sprint(p.Value), "stack": p.Stack}).Error("webhook refused: the parser panicked, which is a bug")
	case status >= 500:
		log.WithField("error", resp.Error).Error("webhook failed; the SCM may redeliver")
	case resp.Error != "":
		log.WithField("error", resp.Error).Warn("webhook refused")
	case resp.Outcome != nil && len(resp.Warnings) > 0:
		log.WithFields(logrus.Fields{"runs": resp.runCount(), "warnings": resp.Warnings}).Warn("webhook handled, with warnings")
	default:
		log.WithField("runs", resp.runCount()).Info("webhook handled")
	}
}

// handleHook reads, verifies, parses and dispatches one delivery.
func (s *Server) handleHook(r *http.Request, in providers.Instance, log *logrus.Entry) (int, hookResponse, event.Event) {
	body, status, err := s.readBody(r)
	resp := identify(in, r, body)
	if err != nil {
		resp.Error = err.Error()
		return status, resp, event.Event{}
	}
	if in.Insecure {
		log.Warn("insecure instance: delivery accepted without verification")
	} else if err := in.Verify(r.Context(), r, body); err != nil {
		resp.Error = err.Error()
		return providers.HTTPStatus(err), resp, event.Event{}
	}
	ev, err := parse(in, r, body)
	ev.Provider, ev.Instance = in.Kind, in.Name
	ev.Delivery = cmp.Or(ev.Delivery, resp.Delivery)
	resp.Delivery = ev.Delivery
	if ev.Kind != "" {
		resp.Summary = ev.String()
	}
	resp.Event = cmp.Or(resp.Event, resp.Summary)
	var ignored providers.Ignored
	if s.opts.Forwarder != nil && (err == nil || errors.As(err, &ignored)) {
		s.opts.Forwarder.Forward(ev, r.Header, body)
	}
	if errors.As(err, &ignored) {
		resp.Ignored = ignored.Reason
		return http.StatusOK, resp, ev
	}
	if err != nil {
		resp.Error = err.Error()
		resp.panicked = parserPanic(in, err)
		return providers.HTTPStatus(err), resp, ev
	}
	out, err := s.opts.Handler.Handle(r.Context(), in, ev)
	resp.Outcome = &out
	if err != nil {
		resp.Error = err.Error()
		return handleStatus(err, &resp), resp, ev
	}
	return http.StatusOK, resp, ev
}

// handleStatus is the status of a delivery whose handling failed: 503
// with a Retry-After when the cluster could not take it for now, else
// 500.
func handleStatus(err error, resp *hookResponse) int {
	if wait, ok := providers.RetryAfter(err); ok {
		resp.retryAfter = wait
		return providers.HTTPStatus(err)
	}
	return http.StatusInternalServerError
}

// identify names a delivery as its SCM did, through the provider's
// Identifier when it has one; body is nil when it was not read.
func identify(in providers.Instance, r *http.Request, body []byte) hookResponse {
	id, ok := in.Intake.(providers.Identifier)
	if !ok {
		return hookResponse{}
	}
	delivery, name := id.Identify(r, body)
	return hookResponse{Delivery: cut(delivery), Event: cut(name)}
}

// maxNameLen bounds the delivery id and event name echoed from a
// request's headers into answers and logs.
const maxNameLen = 200

// cut shortens s to maxNameLen bytes, on a rune boundary.
func cut(s string) string {
	if len(s) <= maxNameLen {
		return s
	}
	s = s[:maxNameLen]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "..."
}

// parse runs the provider's parser; a panic that reaches it is a bad
// payload to the sender and a bug to fresnel.
func parse(in providers.Instance, r *http.Request, body []byte) (ev event.Event, err error) {
	defer func() {
		if p := recover(); p != nil {
			ev, err = event.Event{}, providers.ParserPanic{Value: p, Stack: string(debug.Stack())}
		}
	}()
	return in.Parse(r.Context(), r, body)
}

// parserPanic counts a parser panic in err and returns it, or nil.
func parserPanic(in providers.Instance, err error) *providers.ParserPanic {
	var p providers.ParserPanic
	if !errors.As(err, &p) {
		return nil
	}
	metrics.ParserPanics.WithLabelValues(in.Kind).Inc()
	return &p
}

// readBody reads at most MaxBodyBytes; past that it answers 413 without
// reading further (answerTooLarge drains what is left after answering).
// A body that does not arrive within the server's read timeout is a 408.
func (s *Server) readBody(r *http.Request) ([]byte, int, error) {
	limit := s.opts.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body of %d bytes is over the limit of %d", r.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if isTimeout(err) {
		return nil, http.StatusRequestTimeout, fmt.Errorf("read body: the body did not arrive within the server's read timeout (%d bytes came)", len(body))
	}
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body is over the limit of %d bytes", limit)
	}
	return body, 0, nil
}

// isTimeout reports whether err is a read deadline passing.
func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
}

const (
	// drainMin is the least of a refused body answerTooLarge reads.
	drainMin = 4 << 20
	// drainTimeout bounds how long answerTooLarge reads.
	drainTimeout = 5 * time.Second
)

// answerTooLarge writes a 413, then reads and discards the rest of the
// body, up to twice the limit (drainMin at least) and for drainTimeout at
// most, before the connection closes: a sender still writing its body
// then reads the answer rather than a connection reset. The handler sets
// Connection: close, so the connection is not used again.
func (s *Server) answerTooLarge(w http.ResponseWriter, r *http.Request, resp hookResponse) {
	if strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		// The client waits for a go-ahead before it sends the body, and
		// the 413 tells it not to: there is nothing to drain.
		writeJSON(w, http.StatusRequestEntityTooLarge, resp)
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.EnableFullDuplex() // HTTP/1: read the body after answering
	writeJSON(w, http.StatusRequestEntityTooLarge, resp)
	_ = rc.Flush()
	_ = rc.SetReadDeadline(time.Now().Add(drainTimeout))
	_, _ = io.CopyN(io.Discard, r.Body, max(2*s.opts.MaxBodyBytes, drainMin))
}

func result(status int, resp hookResponse) string {
	if resp.Ignored != "" {
		return "ignored"
	}
	return strconv.Itoa(status)
}

func (r hookResponse) runCount() int {
	if r.Outcome == nil {
		return 0
	}
	return len(r.Outcome.Runs)
}
