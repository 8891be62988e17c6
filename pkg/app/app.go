// Package app wires fresnel's subsystems together for each role: the
// webhook intake, the controller, or both in one process.
package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
	tekton "github.com/tektoncd/pipeline/pkg/client/clientset/versioned"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fresnel-ci/fresnel/pkg/dispatch"
	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/launch"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/report"
	"github.com/fresnel-ci/fresnel/pkg/server"
	"github.com/fresnel-ci/fresnel/pkg/settings"
	"github.com/fresnel-ci/fresnel/pkg/trust"
	"github.com/fresnel-ci/fresnel/providers"
	_ "github.com/fresnel-ci/fresnel/providers/all" // registers every provider kind
	"github.com/fresnel-ci/fresnel/triggers"
	"github.com/fresnel-ci/fresnel/triggers/inrepo"
)

// App is one running fresnel: settings, provider instances, job
// configuration and Kubernetes clients.
type App struct {
	Settings  *settings.Settings
	Instances *providers.Set
	Kube      *rest.Config
	Tekton    tekton.Interface
	Log       *logrus.Logger

	jobs   atomic.Pointer[triggers.Config]
	inRepo *dispatch.InRepo
	// loaded is the digest of the files the configuration in force was
	// read from, so that a reload that would read the same is skipped.
	loaded atomic.Pointer[string]
}

// Options say where to read settings and cluster access from.
type Options struct {
	SettingsPath string
	// Kubeconfig is a kubeconfig path; empty means $KUBECONFIG or in-cluster.
	Kubeconfig string
	Log        *logrus.Logger
}

// New reads settings and job configuration and builds clients.
func New(opts Options) (*App, error) {
	s, err := settings.Load(opts.SettingsPath)
	if err != nil {
		return nil, err
	}
	cfgs, err := s.ProviderConfigs()
	if err != nil {
		return nil, err
	}
	instances, err := providers.NewSet(cfgs)
	if err != nil {
		return nil, err
	}
	kube, err := kubeConfig(opts.Kubeconfig, s.Kube)
	if err != nil {
		return nil, err
	}
	tc, err := tekton.NewForConfig(kube)
	if err != nil {
		return nil, fmt.Errorf("app: tekton client: %w", err)
	}
	a := &App{Settings: s, Instances: instances, Kube: kube, Tekton: tc, Log: opts.Log, inRepo: newInRepo(s.InRepoConfig)}
	if a.Log == nil {
		a.Log = logrus.StandardLogger()
	}
	if err := a.LoadJobs(); err != nil {
		return nil, err
	}
	return a, nil
}

// LoadJobs (re)reads the job configuration and plugins.yaml's trigger
// settings; on error the configuration in force stays.
func (a *App) LoadJobs() error {
	digest, digestErr := a.configDigest()
	cfg, problems := triggers.Check(a.Settings.Prow.Config, a.Settings.Prow.JobConfig)
	if path := a.Settings.Prow.Plugins; path != "" {
		plugins, pluginProblems := triggers.LoadPlugins(path, dispatch.ImplementedPlugins())
		problems = append(problems, pluginProblems...)
		if cfg != nil {
			cfg.Plugins = plugins
		}
	}
	if err := problems.Err(); err != nil {
		metrics.ConfigReloads.WithLabelValues("failure").Inc()
		return err
	}
	for _, warning := range problems {
		a.Log.WithField("position", warning.Position()).Warn(warning.Message)
	}
	metrics.ConfigReloads.WithLabelValues("success").Inc()
	a.jobs.Store(cfg)
	if digestErr == nil {
		a.loaded.Store(&digest)
	}
	return nil
}

// Jobs returns the job configuration in force.
func (a *App) Jobs() *triggers.Config { return a.jobs.Load() }

func kubeConfig(path string, limits settings.Kube) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = path
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, nil).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("app: kubernetes config: %w", err)
	}
	cfg.QPS, cfg.Burst = limits.QPS, limits.Burst
	cfg.UserAgent = "fresnel"
	return cfg, nil
}

// newInRepo reads in-repo jobs for the repositories settings name; nil
// when they name none.
func newInRepo(s settings.InRepoConfig) *dispatch.InRepo {
	if len(s.Repos) == 0 {
		return nil
	}
	return &dispatch.InRepo{Loader: inrepo.NewLoader(cmp.Or(s.CacheSize, inrepo.DefaultCacheSize)), Enabled: s.Enabled}
}

// Dispatcher selects and launches jobs for events.
func (a *App) Dispatcher() *dispatch.Dispatcher {
	ns := a.Settings.Namespace
	launcher := &launch.Launcher{
		Namespace:  ns,
		CloneImage: a.Settings.Decoration.CloneImage,
		Runs: func(namespace string) launch.RunCreator {
			return a.Tekton.TektonV1().PipelineRuns(namespace)
		},
		Cancels: func(namespace string) launch.RunCanceller {
			return a.Tekton.TektonV1().PipelineRuns(namespace)
		},
	}
	decider := trust.New(trust.Options{})
	return &dispatch.Dispatcher{
		Config:   a.Jobs,
		Launcher: launcher,
		Plugins:  a.pluginRunner(launcher, decider),
		FailedContexts: func(ctx context.Context, ev event.Event) (map[string]bool, error) {
			return report.FailedContexts(ctx, a.Tekton.TektonV1().PipelineRuns(ns), ev)
		},
		InRepo:  a.inRepo,
		Trust:   decider,
		BotUser: a.botUser,
		Log:     a.Log,
	}
}

// RunWebhook serves the HTTP intake until ctx ends, then shuts down
// gracefully, letting requests in flight finish.
func (a *App) RunWebhook(ctx context.Context) error {
	forwarder, err := a.externalForwarder()
	if err != nil {
		return err
	}
	handler, catchupLoop := a.catchup()
	srv := server.New(server.Options{
		Instances:    a.Instances,
		Handler:      handler,
		MaxBodyBytes: a.Settings.Server.MaxBodyBytes,
		Log:          a.Log,
		Forwarder:    forwarder,
	})
	for _, in := range a.Instances.All() {
		if in.Insecure {
			a.Log.WithFields(logrus.Fields{"provider": in.Kind, "instance": in.Name}).Warn("instance is insecure: deliveries are not verified")
		}
	}
	limits := a.Settings.Server
	hs := server.HTTPServer(limits.Address, srv.Router(), limits.ReadHeaderTimeout.Duration,
		limits.ReadTimeout.Duration, limits.WriteTimeout.Duration, limits.IdleTimeout.Duration)
	errc := make(chan error, 2)
	go func() { errc <- fmt.Errorf("app: webhook server: %w", hs.ListenAndServe()) }()
	go func() {
		if err := a.watchJobsOnce(ctx); err != nil {
			errc <- fmt.Errorf("app: watch job configuration: %w", err)
		}
	}()
	if catchupLoop != nil {
		go catchupLoop.Run(ctx)
	}
	srv.SetReady(true)
	a.Log.WithField("address", limits.Address).Info("webhook server listening")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	srv.SetReady(false)
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return forwarder.Shutdown(shutdown)
}

// RunAll runs the webhook intake and the controller (with opts: leader
// election, its metrics listener) in one process; the first to fail
// stops both.
func (a *App) RunAll(ctx context.Context, opts ControllerOptions) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() { errc <- a.RunWebhook(ctx) }()
	go func() { errc <- a.RunController(ctx, opts) }()
	err := <-errc
	cancel()
	return errors.Join(err, <-errc)
}
