package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

func TestWithFresnelGathersBothOnce(t *testing.T) {
	base := prometheus.NewRegistry()
	base.MustRegister(collectors.NewGoCollector())
	r := WithFresnel(base)
	queue := prometheus.NewGauge(prometheus.GaugeOpts{Name: "workqueue_depth_probe", Help: "registered through the wrapper"})
	if err := r.Register(queue); err != nil {
		t.Fatalf("register through the wrapper: %v", err)
	}
	ControllerLeader.Set(1)
	defer ControllerLeader.Set(0)

	families, err := r.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err) // a go_* family from both registries would fail here
	}
	seen := map[string]int{}
	for _, mf := range families {
		seen[mf.GetName()]++
	}
	for name, want := range map[string]int{
		"workqueue_depth_probe":     1, // base's own
		"go_goroutines":             1, // base's, not the default registry's as well
		"fresnel_controller_leader": 1, // the default registry's fresnel_* family
	} {
		if seen[name] != want {
			t.Errorf("%s gathered %d times, want %d", name, seen[name], want)
		}
	}
	if seen["process_cpu_seconds_total"] != 0 {
		t.Error("the default registry's process metrics came in; base has none")
	}
	if err := base.Register(queue); err == nil {
		t.Error("the wrapper registered elsewhere than on base")
	}
}
