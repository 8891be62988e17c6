package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/pprof"
	"os"
	"sync"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/fresnel-ci/fresnel/pkg/metrics"
)

// DefaultMetricsAddr is where the controller serves /metrics, /healthz
// and /readyz unless --metrics-addr says otherwise.
const DefaultMetricsAddr = ":9090"

// metricsBindAddress is controller-runtime's bind address for addr: ""
// and "0" turn the listener off.
func metricsBindAddress(addr string) string {
	if addr == "" {
		return "0"
	}
	return addr
}

var withFresnelOnce sync.Once

// serveFresnelMetrics makes controller-runtime's registry, which its
// metrics server serves, gather fresnel's metrics too. Done once, before
// the first manager starts.
func serveFresnelMetrics() {
	withFresnelOnce.Do(func() { ctrlmetrics.Registry = metrics.WithFresnel(ctrlmetrics.Registry) })
}

// observe adds /healthz (the process answers) and /readyz (the informer
// cache has synced) beside /metrics, and keeps fresnel_controller_leader
// up to date. With the listener off only the gauge is kept.
func observe(mgr ctrl.Manager, addr string) error {
	if err := mgr.Add(manager.RunnableFunc(leading)); err != nil {
		return fmt.Errorf("app: leader gauge: %w", err)
	}
	if metricsBindAddress(addr) == "0" {
		return nil
	}
	probes := []struct {
		path, name string
		check      healthz.Checker
	}{
		{"/healthz", "ping", healthz.Ping},
		{"/readyz", "informers", cacheSynced(mgr.GetCache())},
	}
	if os.Getenv("FRESNEL_PPROF") == "true" {
		if err := mgr.AddMetricsServerExtraHandler("/debug/pprof/", http.HandlerFunc(pprof.Index)); err != nil {
			return fmt.Errorf("app: pprof: %w", err)
		}
		for name, h := range map[string]http.HandlerFunc{"profile": pprof.Profile, "trace": pprof.Trace, "symbol": pprof.Symbol, "cmdline": pprof.Cmdline} {
			if err := mgr.AddMetricsServerExtraHandler("/debug/pprof/"+name, h); err != nil {
				return fmt.Errorf("app: pprof: %w", err)
			}
		}
	}
	for _, p := range probes {
		h := http.StripPrefix(p.path, &healthz.Handler{Checks: map[string]healthz.Checker{p.name: p.check}})
		// The path itself answers for every check, path/name for one.
		for _, path := range []string{p.path, p.path + "/"} {
			if err := mgr.AddMetricsServerExtraHandler(path, h); err != nil {
				return fmt.Errorf("app: %s: %w", path, err)
			}
		}
	}
	return nil
}

// leading runs only on the elected replica (or at once without leader
// election): the gauge is 1 from then until the manager stops.
func leading(ctx context.Context) error {
	metrics.ControllerLeader.Set(1)
	<-ctx.Done()
	metrics.ControllerLeader.Set(0)
	return nil
}

// cacheSynced is ready once the informers have listed what they watch;
// it waits at most a second per probe.
func cacheSynced(c cache.Cache) healthz.Checker {
	return func(req *http.Request) error {
		ctx, cancel := context.WithTimeout(req.Context(), time.Second)
		defer cancel()
		if !c.WaitForCacheSync(ctx) {
			return errors.New("informer cache not synced yet")
		}
		return nil
	}
}
