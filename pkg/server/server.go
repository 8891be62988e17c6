// Package server is fresnel's HTTP intake: routes, limits, verification
// before parsing, and the mapping of errors to HTTP statuses.
package server

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/dispatch"
	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// Handler acts on a parsed event: selects and launches its jobs.
type Handler interface {
	Handle(ctx context.Context, in providers.Instance, ev event.Event) (dispatch.Outcome, error)
}

// Options configure the server.
type Options struct {
	Instances    *providers.Set
	Handler      Handler
	MaxBodyBytes int64
	Log          *logrus.Logger
	// Forwarder, when set, receives every verified delivery that parsed
	// (acted on or ignored) with its original headers and body, for the
	// external plugins. It must not block.
	Forwarder Forwarder
}

// Forwarder hands verified deliveries on to external plugins
// asynchronously; ev is what the delivery parsed to.
type Forwarder interface {
	Forward(ev event.Event, header http.Header, body []byte)
}

// Server routes webhook deliveries to providers and the dispatcher.
type Server struct {
	opts  Options
	ready atomic.Bool
}

// New returns a server; it reports ready once SetReady(true) is called.
func New(opts Options) *Server {
	if opts.Log == nil {
		opts.Log = logrus.StandardLogger()
	}
	return &Server{opts: opts}
}

// SetReady flips /readyz.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// Router returns the HTTP routes.
func (s *Server) Router() http.Handler {
	r := mux.NewRouter()
	r.HandleFunc("/hook/{provider}/{instance}", s.hook).Methods(http.MethodPost)
	r.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusOK, "ok") })
	r.HandleFunc("/readyz", s.readyz)
	r.Handle("/metrics", promhttp.Handler())
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed: use POST"})
	})
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
	})
	return r
}

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if !s.ready.Load() {
		writeText(w, http.StatusServiceUnavailable, "not ready")
		return
	}
	writeText(w, http.StatusOK, "ok")
}

// HTTPServer wraps the router with the configured timeouts.
func HTTPServer(addr string, h http.Handler, readHeader, read, write, idle time.Duration) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: readHeader,
		ReadTimeout:       read,
		WriteTimeout:      write,
		IdleTimeout:       idle,
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeText(w http.ResponseWriter, status int, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(s + "\n"))
}
