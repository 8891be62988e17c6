package dispatch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// clusterError wraps err from the cluster, made while doing what: a
// failure to reach the cluster, or its refusal for overload, becomes a
// providers.Unavailable naming the delivery (the sender gets 503 and may
// deliver again); anything else is a plain dispatch error. nil stays nil.
func clusterError(ev event.Event, what string, err error) error {
	if err == nil {
		return nil
	}
	why, ok := ClusterUnavailable(err)
	if !ok {
		return fmt.Errorf("dispatch: %s: %w", what, err)
	}
	return providers.Unavailable{
		Reason:     fmt.Sprintf("dispatch: cannot %s for delivery %s: the cluster is %s; deliver it again later", what, deliveryName(ev), why),
		RetryAfter: retryAfter(err),
		Err:        err,
	}
}

func deliveryName(ev event.Event) string {
	if ev.Delivery == "" {
		return "(no id)"
	}
	return ev.Delivery
}

// ClusterUnavailable says whether err means the Kubernetes API could not
// be reached or could not serve for now (rather than refusing what was
// asked), and how. It is the one place this is decided.
func ClusterUnavailable(err error) (string, bool) {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return "unreachable", true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), isNetTimeout(err):
		return "not answering in time", true
	case apierrors.IsTooManyRequests(err):
		return "overloaded (429)", true
	case apierrors.IsServiceUnavailable(err):
		return "unavailable (503)", true
	case apierrors.IsServerTimeout(err), apierrors.IsTimeout(err):
		return "not answering in time", true
	case apierrors.IsInternalError(err):
		return "failing (500)", true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return "unreachable", true
	}
	// A request that got no answer at all: the connection failed on the
	// way (a proxy or load balancer in front of a stopped apiserver
	// closes it at once).
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return "unreachable", true
	}
	return "", false
}

func isNetTimeout(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// retryAfter is the wait the apiserver asked for, or zero.
func retryAfter(err error) time.Duration {
	if seconds, ok := apierrors.SuggestsClientDelay(err); ok && seconds > 0 {
		return time.Duration(seconds) * time.Second
	}
	return 0
}
