package metrics

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Registry is a Prometheus registry that also serves fresnel's own
// metrics: it registers on base and gathers base's families together
// with the fresnel_* families of the default registry, so one /metrics
// shows both. Go's and the process's metrics come from base alone.
type Registry struct {
	prometheus.Registerer
	base prometheus.Gatherer
}

// WithFresnel wraps base, a registry such as controller-runtime's.
func WithFresnel(base interface {
	prometheus.Registerer
	prometheus.Gatherer
}) *Registry {
	return &Registry{Registerer: base, base: base}
}

// Gather returns base's families and fresnel's, sorted by name.
func (r *Registry) Gather() ([]*dto.MetricFamily, error) {
	return prometheus.Gatherers{r.base, fresnelOnly{prometheus.DefaultGatherer}}.Gather()
}

// fresnelOnly keeps the fresnel_* families of a gatherer.
type fresnelOnly struct{ prometheus.Gatherer }

func (f fresnelOnly) Gather() ([]*dto.MetricFamily, error) {
	all, err := f.Gatherer.Gather()
	kept := all[:0]
	for _, mf := range all {
		if strings.HasPrefix(mf.GetName(), "fresnel_") {
			kept = append(kept, mf)
		}
	}
	return kept, err
}
