package dispatch

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/fresnel-ci/fresnel/providers"
)

func TestClusterErrorTellsUnavailableFromBroken(t *testing.T) {
	gr := schema.GroupResource{Group: "tekton.dev", Resource: "pipelineruns"}
	post := func(err error) error { return &url.Error{Op: "Post", URL: "https://127.0.0.1:6443/apis", Err: err} }
	tests := []struct {
		name      string
		err       error
		wantCode  int
		wantRetry time.Duration
	}{
		{"connection refused", post(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), http.StatusServiceUnavailable, providers.DefaultRetryAfter},
		{"connection closed before an answer", post(io.EOF), http.StatusServiceUnavailable, providers.DefaultRetryAfter},
		{"timeout", post(os.ErrDeadlineExceeded), http.StatusServiceUnavailable, providers.DefaultRetryAfter},
		{"429 with its wait", apierrors.NewTooManyRequests("slow down", 7), http.StatusServiceUnavailable, 7 * time.Second},
		{"503", apierrors.NewServiceUnavailable("starting"), http.StatusServiceUnavailable, providers.DefaultRetryAfter},
		{"forbidden is ours to fix", apierrors.NewForbidden(gr, "x", errors.New("no RBAC")), http.StatusInternalServerError, 0},
		{"invalid is ours to fix", apierrors.NewBadRequest("bad spec"), http.StatusInternalServerError, 0},
	}
	ev := pullRequest("opened")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := clusterError(ev, "create PipelineRuns", fmt.Errorf("launch: %w", tc.err))
			code := http.StatusInternalServerError
			if _, ok := providers.RetryAfter(err); ok {
				code = providers.HTTPStatus(err)
			}
			if code != tc.wantCode {
				t.Fatalf("%v: status %d, want %d", err, code, tc.wantCode)
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("%v does not wrap the cluster's error", err)
			}
			if wait, _ := providers.RetryAfter(err); wait != tc.wantRetry {
				t.Errorf("Retry-After %v, want %v", wait, tc.wantRetry)
			}
			if tc.wantCode == http.StatusServiceUnavailable && !strings.Contains(err.Error(), ev.Delivery) {
				t.Errorf("%q does not name the delivery", err)
			}
		})
	}
	if clusterError(ev, "x", nil) != nil {
		t.Error("no error became one")
	}
}
