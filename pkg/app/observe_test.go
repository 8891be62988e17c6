package app

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"sigs.k8s.io/controller-runtime/pkg/cache/informertest"

	"github.com/fresnel-ci/fresnel/pkg/metrics"
)

func TestReadyOnceTheCacheHasSynced(t *testing.T) {
	for name, synced := range map[string]bool{"synced": true, "still listing": false} {
		t.Run(name, func(t *testing.T) {
			check := cacheSynced(&informertest.FakeInformers{Synced: &synced})
			err := check(httptest.NewRequest("GET", "/readyz", nil))
			if (err == nil) != synced {
				t.Errorf("synced %v: check said %v", synced, err)
			}
		})
	}
}

func TestLeaderGaugeFollowsTheRunnable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- leading(ctx) }()
	for testutil.ToFloat64(metrics.ControllerLeader) != 1 {
		select {
		case err := <-done:
			t.Fatalf("leading returned early: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(metrics.ControllerLeader); got != 0 {
		t.Errorf("fresnel_controller_leader = %v after the manager stopped, want 0", got)
	}
}

func TestMetricsAddrZeroOrEmptyIsOff(t *testing.T) {
	for addr, want := range map[string]string{"": "0", "0": "0", ":9090": ":9090", "127.0.0.1:1": "127.0.0.1:1"} {
		if got := metricsBindAddress(addr); got != want {
			t.Errorf("metricsBindAddress(%q) = %q, want %q", addr, got, want)
		}
	}
}
