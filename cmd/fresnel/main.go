// Command fresnel is the webhook router: fresnel webhook | controller |
// all | checkconfig | explain | owners | version. Run "fresnel help" for the flags
// of each.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/sirupsen/logrus"

	"github.com/fresnel-ci/fresnel/pkg/app"
	"github.com/fresnel-ci/fresnel/pkg/cli"
	"github.com/fresnel-ci/fresnel/pkg/version"
)

const usage = `usage: fresnel <command> [flags]

commands:
  webhook      serve POST /hook/{provider}/{instance}: verify, parse, create PipelineRuns
  controller   watch PipelineRuns and report their results to the SCMs
  all          webhook and controller in one process
  checkconfig  validate the job configuration; print each problem with FILE:LINE
  explain      print, as JSON, which jobs a webhook payload runs and why others do not
  owners       print, as JSON, what the approve plugin decides from a repository's OWNERS files
  version      print version, commit and Go version

"fresnel checkconfig -h", "fresnel explain -h" and "fresnel owners -h" give their flags.

flags of webhook, controller and all:
  --settings FILE     fresnel.yaml (default fresnel.yaml, or $FRESNEL_SETTINGS)
  --kubeconfig FILE   kubeconfig (default $KUBECONFIG, else in-cluster)
  --leader-elect      controller and all: elect one active replica through a Lease
  --metrics-addr ADDR controller and all: serve /metrics, /healthz, /readyz of the
                      controller at ADDR (default :9090, or $FRESNEL_METRICS_ADDR; 0: off)
  --log-level LEVEL   debug, info, warn, error (default info)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var usageErr usageError
	var exit cli.ExitCode
	switch {
	case errors.As(err, &exit):
		os.Exit(int(exit))
	case errors.As(err, &usageErr):
		fmt.Fprintf(os.Stderr, "fresnel: %v\n\n%s", err, usage)
		os.Exit(2)
	case err != nil:
		fmt.Fprintf(os.Stderr, "fresnel: %v\n", err)
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"no command"}
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "version":
		_, err := fmt.Fprintln(stdout, version.String())
		return err
	case "help", "-h", "--help":
		_, err := fmt.Fprint(stdout, usage)
		return err
	case "webhook", "controller", "all":
		return serve(ctx, cmd, args)
	case "checkconfig":
		return cli.CheckConfig(ctx, args, stdout, stderr)
	case "explain":
		return cli.Explain(ctx, args, stdout, stderr)
	case "owners":
		return cli.Owners(ctx, args, stdout, stderr)
	}
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

func serve(ctx context.Context, role string, args []string) error {
	fs := flag.NewFlagSet(role, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	settingsPath := fs.String("settings", envOr("FRESNEL_SETTINGS", "fresnel.yaml"), "")
	kubeconfig := fs.String("kubeconfig", "", "")
	leaderElect := fs.Bool("leader-elect", false, "")
	metricsAddr := fs.String("metrics-addr", envOr("FRESNEL_METRICS_ADDR", app.DefaultMetricsAddr), "")
	logLevel := fs.String("log-level", "info", "")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	log, err := newLogger(*logLevel)
	if err != nil {
		return usageError{err.Error()}
	}
	a, err := app.New(app.Options{SettingsPath: *settingsPath, Kubeconfig: *kubeconfig, Log: log})
	if err != nil {
		return err
	}
	log.WithField("role", role).Info(version.String())
	opts := app.ControllerOptions{LeaderElect: *leaderElect, MetricsAddr: *metricsAddr}
	switch role {
	case "webhook":
		return a.RunWebhook(ctx)
	case "controller":
		return a.RunController(ctx, opts)
	}
	return a.RunAll(ctx, opts)
}

func newLogger(level string) (*logrus.Logger, error) {
	lvl, err := logrus.ParseLevel(level)
	if err != nil {
		return nil, err
	}
	log := logrus.New()
	log.SetFormatter(&logrus.JSONFormatter{})
	log.SetLevel(lvl)
	return log, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
