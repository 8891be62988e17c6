package app

import (
	"context"
	"fmt"

	"github.com/go-logr/logr"
	"github.com/sirupsen/logrus"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/fresnel-ci/fresnel/pkg/lifecycle"
	"github.com/fresnel-ci/fresnel/pkg/report"
	"github.com/fresnel-ci/fresnel/pkg/run"
)

// ControllerOptions tune the controller role.
type ControllerOptions struct {
	// LeaderElect makes replicas elect one leader through a Lease.
	LeaderElect bool
	// Workers is the number of PipelineRuns reconciled at once.
	Workers int
	// MetricsAddr is where /metrics, /healthz and /readyz are served;
	// "" or "0" serves none.
	MetricsAddr string
}

// RunController watches managed PipelineRuns and reports their results
// until ctx ends.
func (a *App) RunController(ctx context.Context, opts ControllerOptions) error {
	ctrl.SetLogger(a.logr())
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, pipelinev1.AddToScheme} {
		if err := add(scheme); err != nil {
			return fmt.Errorf("app: scheme: %w", err)
		}
	}
	serveFresnelMetrics()
	mgr, err := ctrl.NewManager(a.Kube, ctrl.Options{
		Scheme:                  scheme,
		Metrics:                 metricsserver.Options{BindAddress: metricsBindAddress(opts.MetricsAddr)},
		HealthProbeBindAddress:  "0",
		LeaderElection:          opts.LeaderElect,
		LeaderElectionID:        "fresnel-controller",
		LeaderElectionNamespace: a.Settings.Namespace,
		Cache: cache.Options{
			DefaultNamespaces: map[string]cache.Config{a.Settings.Namespace: {}},
			ByObject:          map[client.Object]cache.ByObject{&pipelinev1.PipelineRun{}: {Label: run.Cached(), Transform: slimRun}},
			DefaultTransform:  cache.TransformStripManagedFields(),
		},
	})
	if err != nil {
		return fmt.Errorf("app: controller manager: %w", err)
	}
	if err := observe(mgr, opts.MetricsAddr); err != nil {
		return err
	}
	for name, keys := range run.Indexes {
		if err := mgr.GetFieldIndexer().IndexField(ctx, &pipelinev1.PipelineRun{}, name, keys); err != nil {
			return fmt.Errorf("app: index runs by %s: %w", name, err)
		}
	}
	targetURL, err := report.ParseTargetURL(a.Settings.Report.TargetURL)
	if err != nil {
		return err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = 8
	}
	settled := &report.Ledger{Namespace: a.Settings.Namespace}
	r := &report.Reporter{Instances: a.Instances, TargetURL: targetURL, SummaryComment: a.Settings.Report.SummaryCommentOn(),
		Settled: settled}
	if err := report.Setup(mgr, r, workers); err != nil {
		return fmt.Errorf("app: reporter: %w", err)
	}
	if err := lifecycle.SetupThrottle(mgr, &lifecycle.Throttle{}); err != nil {
		return fmt.Errorf("app: throttle: %w", err)
	}
	if err := lifecycle.SetupSuperseder(mgr, &lifecycle.Superseder{}); err != nil {
		return fmt.Errorf("app: superseder: %w", err)
	}
	if err := a.setupTimed(mgr, settled); err != nil {
		return err
	}
	a.Log.WithField("metrics", metricsBindAddress(opts.MetricsAddr)).Info("controller starting")
	return mgr.Start(ctx)
}

// logr routes controller-runtime's logs through logrus.
func (a *App) logr() logr.Logger {
	return logr.New(logrusSink{entry: logrus.NewEntry(a.Log).WithField("component", "controller")})
}
