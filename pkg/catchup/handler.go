package catchup

import (
	"context"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/dispatch"
	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// Handler is what the webhook server hands events to.
type Handler interface {
	Handle(ctx context.Context, in providers.Instance, ev event.Event) (dispatch.Outcome, error)
}

// Recording hands events to Next and records in Outage each one that
// failed because the cluster could not be reached.
type Recording struct {
	Next   Handler
	Outage *Outage
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Handle passes ev on and records its repository when the cluster was
// unreachable.
func (r *Recording) Handle(ctx context.Context, in providers.Instance, ev event.Event) (dispatch.Outcome, error) {
	out, err := r.Next.Handle(ctx, in, ev)
	if err != nil && ev.Repo.FullName != "" && ClusterDown(err) {
		now := time.Now
		if r.Now != nil {
			now = r.Now
		}
		r.Outage.Failed(InstanceKey{Kind: in.Kind, Name: in.Name}, ev.Repo.FullName, now())
	}
	return out, err
}

// ClusterDown reports whether err says the Kubernetes API could not be
// reached or could not serve (connection refused or reset, a timeout,
// 503, 504, 429, 500), rather than refusing what was asked.
func ClusterDown(err error) bool {
	_, down := dispatch.ClusterUnavailable(err)
	return down
}
