// Package external forwards verified webhook deliveries to the HTTP
// services plugins.yaml lists under external_plugins, as Prow's hook does:
// the original headers and payload, to every endpoint configured for the
// repository and event, without holding up the webhook's answer.
package external

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/triggers"
)

// Defaults for what Options leave out.
const (
	DefaultWorkers   = 4
	DefaultQueueSize = 256
	DefaultTimeout   = 10 * time.Second
	DefaultAttempts  = 3
	DefaultBackoff   = 500 * time.Millisecond
)

// Results a delivery is counted under.
const (
	ResultDelivered = "delivered"
	ResultFailed    = "failed"
	ResultDropped   = "dropped"
	ResultAbandoned = "abandoned"
)

// Options configure a Forwarder.
type Options struct {
	// Plugins returns plugins.yaml's external_plugins in force, keyed by
	// org, repo or (GitLab) group. Called once per delivery.
	Plugins func() map[string][]triggers.ExternalPlugin
	// Secret returns the key deliveries to the named plugin are signed
	// with; nil or empty sends them unsigned.
	Secret func(plugin string) []byte
	// Workers is how many calls run at once.
	Workers int
	// QueueSize is how many calls may wait; past it a delivery is dropped.
	QueueSize int
	// Timeout bounds one call.
	Timeout time.Duration
	// Attempts is how often a call is made before it counts as failed.
	Attempts int
	// Backoff is the wait before the first retry; it doubles after each.
	Backoff time.Duration
	Client  *http.Client
	Log     *logrus.Logger
}

// Forwarder queues deliveries for external plugins and sends them from a
// bounded pool of workers.
type Forwarder struct {
	opts   Options
	queue  chan call
	wg     sync.WaitGroup
	mu     sync.RWMutex
	closed bool
	// stop ends calls and backoffs in flight when a shutdown runs out of time.
	stopCtx context.Context
	stop    context.CancelFunc
}

// call is one delivery to one plugin.
type call struct {
	plugin   triggers.ExternalPlugin
	delivery Delivery
}

// New starts a Forwarder's workers; Shutdown stops them.
func New(opts Options) *Forwarder {
	opts.Workers = cmp.Or(opts.Workers, DefaultWorkers)
	opts.QueueSize = cmp.Or(opts.QueueSize, DefaultQueueSize)
	opts.Timeout = cmp.Or(opts.Timeout, DefaultTimeout)
	opts.Attempts = cmp.Or(opts.Attempts, DefaultAttempts)
	opts.Backoff = cmp.Or(opts.Backoff, DefaultBackoff)
	if opts.Client == nil {
		opts.Client = &http.Client{}
	}
	if opts.Log == nil {
		opts.Log = logrus.StandardLogger()
	}
	f := &Forwarder{opts: opts, queue: make(chan call, opts.QueueSize)}
	f.stopCtx, f.stop = context.WithCancel(context.Background())
	for range opts.Workers {
		f.wg.Add(1)
		go f.work()
	}
	return f
}

// Forward queues the verified delivery of ev, whose request carried
// header and body, for the external plugins that want it.
func (f *Forwarder) Forward(ev event.Event, header http.Header, body []byte) {
	f.Queue(FromRequest(ev, header, body))
}

// Queue queues d for every external plugin configured for its
// repository and event and returns how many calls were queued. It never
// blocks: a call that finds the queue full is dropped, counted and logged.
func (f *Forwarder) Queue(d Delivery) int {
	if f == nil || f.opts.Plugins == nil {
		return 0
	}
	plugins := Match(f.opts.Plugins(), d.Repo, d.eventNames())
	f.mu.RLock()
	defer f.mu.RUnlock()
	queued := 0
	for _, p := range plugins {
		if f.closed {
			f.drop(p, d, "fresnel is shutting down")
			continue
		}
		select {
		case f.queue <- call{plugin: p, delivery: d}:
			metrics.ExternalPluginQueue.Inc()
			queued++
		default:
			f.drop(p, d, "queue full")
		}
	}
	return queued
}

func (f *Forwarder) drop(p triggers.ExternalPlugin, d Delivery, why string) {
	metrics.ExternalPluginDeliveries.WithLabelValues(p.Name, ResultDropped).Inc()
	f.log(p, d).WithField("reason", why).Warn("external plugin: delivery dropped")
}

// Shutdown stops taking deliveries and waits for the queued ones to be
// sent. When ctx ends first, calls in flight are cancelled, what is still
// queued is abandoned, and the error says so.
func (f *Forwarder) Shutdown(ctx context.Context) error {
	f.mu.Lock()
	if !f.closed {
		f.closed = true
		close(f.queue)
	}
	f.mu.Unlock()
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
		f.stop()
		return nil
	case <-ctx.Done():
		f.stop()
		<-done
		return fmt.Errorf("external: shutdown: %w", ctx.Err())
	}
}

func (f *Forwarder) work() {
	defer f.wg.Done()
	for c := range f.queue {
		metrics.ExternalPluginQueue.Dec()
		result, err := f.send(c)
		metrics.ExternalPluginDeliveries.WithLabelValues(c.plugin.Name, result).Inc()
		entry := f.log(c.plugin, c.delivery)
		switch {
		case err != nil && result == ResultAbandoned:
			entry.WithError(err).Warn("external plugin: delivery abandoned at shutdown")
		case err != nil:
			entry.WithError(err).Error("external plugin: delivery failed")
		default:
			entry.Debug("external plugin: delivered")
		}
	}
}

// send makes up to Attempts calls, retrying 5xx answers and network
// errors after a doubling backoff.
func (f *Forwarder) send(c call) (string, error) {
	wait := f.opts.Backoff
	var err error
	for attempt := 1; ; attempt++ {
		if f.stopCtx.Err() != nil {
			return ResultAbandoned, errors.Join(err, f.stopCtx.Err())
		}
		var retry bool
		retry, err = f.once(c)
		if err == nil {
			return ResultDelivered, nil
		}
		if !retry || attempt >= f.opts.Attempts {
			return ResultFailed, err
		}
		metrics.ExternalPluginRetries.WithLabelValues(c.plugin.Name).Inc()
		select {
		case <-time.After(wait):
		case <-f.stopCtx.Done():
		}
		wait *= 2
	}
}

func (f *Forwarder) log(p triggers.ExternalPlugin, d Delivery) *logrus.Entry {
	return f.opts.Log.WithFields(logrus.Fields{
		"plugin": p.Name, "endpoint": p.Endpoint, "delivery": d.ID,
		"provider": d.Provider, "instance": d.Instance, "repo": d.Repo, "event": d.Event,
	})
}
