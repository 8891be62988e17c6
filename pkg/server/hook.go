package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/dispatch"
	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/providers"
)

// hookResponse is the JSON body of every answer to a delivery; runs and
// skipped jobs appear once the event was dispatched.
type hookResponse struct {
	Delivery string `json:"delivery,omitempty"`
	Event    string `json:"event,omitempty"`
	Ignored  string `json:"ignored,omitempty"`
	Error    string `json:"error,omitempty"`
	*dispatch.Outcome
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
	log = log.WithFields(logrus.Fields{"delivery": ev.Delivery, "repo": ev.Repo.FullName, "event": ev.String(), "status": status})
	switch {
	case status >= 500:
		log.WithField("error", resp.Error).Error("webhook failed; the SCM may redeliver")
	case resp.Error != "":
		log.WithField("error", resp.Error).Warn("webhook refused")
	case resp.Outcome != nil && len(resp.Warnings) > 0:
		log.WithFields(logrus.Fields{"runs": resp.runCount(), "warnings": resp.Warnings}).Warn("webhook handled, with warnings")
	default:
		log.WithField("runs", resp.runCount()).Info("webhook handled")
	}
	writeJSON(w, status, resp)
}

// handleHook reads, verifies, parses and dispatches one delivery.
func (s *Server) handleHook(r *http.Request, in providers.Instance, log *logrus.Entry) (int, hookResponse, event.Event) {
	body, status, err := s.readBody(r)
	if err != nil {
		return status, hookResponse{Error: err.Error()}, event.Event{}
	}
	if in.Insecure {
		log.Warn("insecure instance: delivery accepted without verification")
	} else if err := in.Verify(r.Context(), r, body); err != nil {
		return providers.HTTPStatus(err), hookResponse{Error: err.Error()}, event.Event{}
	}
	ev, err := in.Parse(r.Context(), r, body)
	ev.Provider, ev.Instance = in.Kind, in.Name
	resp := hookResponse{Delivery: ev.Delivery, Event: ev.String()}
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
		return providers.HTTPStatus(err), resp, ev
	}
	out, err := s.opts.Handler.Handle(r.Context(), in, ev)
	resp.Outcome = &out
	if err != nil {
		resp.Error = err.Error()
		return http.StatusInternalServerError, resp, ev
	}
	return http.StatusOK, resp, ev
}

// readBody reads at most MaxBodyBytes; past that it answers 413 without
// reading further.
func (s *Server) readBody(r *http.Request) ([]byte, int, error) {
	limit := s.opts.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body of %d bytes is over the limit of %d", r.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body is over the limit of %d bytes", limit)
	}
	return body, 0, nil
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
