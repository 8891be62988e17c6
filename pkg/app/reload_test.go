package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"

	"github.com/fresnel-ci/fresnel/pkg/metrics"
	"github.com/fresnel-ci/fresnel/pkg/settings"
)

const reloadConfig = `
presubmits:
  acme/widgets:
  - name: unit
    always_run: true
    spec: {containers: [{image: x, command: ["true"]}]}
`

// appWithFiles is an App with config.yaml and plugins.yaml in a
// directory, and a logger that keeps what it logs.
func appWithFiles(t *testing.T, plugins string) (*App, string, *logtest.Hook) {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "config.yaml"), reloadConfig)
	write(t, filepath.Join(dir, "plugins.yaml"), plugins)
	log, hook := logtest.NewNullLogger()
	a := &App{Log: log, Settings: &settings.Settings{Prow: settings.ProwFiles{
		Config: filepath.Join(dir, "config.yaml"), Plugins: filepath.Join(dir, "plugins.yaml"),
	}}}
	return a, dir, hook
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestLoadJobsReadsPluginsWithTheOneLoader(t *testing.T) {
	a, _, hook := appWithFiles(t, "plugins:\n  acme: [trigger, cat]\n")
	if err := a.LoadJobs(); err != nil {
		t.Fatal(err)
	}
	if !a.Jobs().Plugins.IsEnabled("acme/widgets", "trigger") {
		t.Error("plugins.yaml's enable map was not read")
	}
	var warned bool
	for _, e := range hook.AllEntries() {
		warned = warned || e.Level == logrus.WarnLevel && strings.HasSuffix(e.Data["position"].(string), "plugins.yaml:2") && strings.Contains(e.Message, `"cat"`)
	}
	if !warned {
		t.Errorf("no warning with file:line for the plugin fresnel does not implement; logged %v", hook.AllEntries())
	}
}

func TestHotReloadKeepsTheLastGoodPlugins(t *testing.T) {
	a, dir, hook := appWithFiles(t, "plugins:\n  acme: [trigger]\n")
	if err := a.LoadJobs(); err != nil {
		t.Fatal(err)
	}
	good := a.Jobs()
	failures := testutil.ToFloat64(metrics.ConfigReloads.WithLabelValues("failure"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = a.WatchJobs(ctx) }()
	time.Sleep(100 * time.Millisecond) // let the watcher start

	write(t, filepath.Join(dir, "plugins.yaml"), "plugins:\n  acme:\n    plugins: trigger\n")
	deadline := time.Now().Add(5 * time.Second)
	for testutil.ToFloat64(metrics.ConfigReloads.WithLabelValues("failure")) == failures && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := testutil.ToFloat64(metrics.ConfigReloads.WithLabelValues("failure")); got != failures+1 {
		t.Fatalf("fresnel_config_reloads_total{outcome=failure} = %v, want %v", got, failures+1)
	}
	if a.Jobs() != good || !a.Jobs().Plugins.IsEnabled("acme/widgets", "trigger") {
		t.Error("a plugins.yaml that fails validation replaced the one in force")
	}
	var logged bool
	for _, e := range hook.AllEntries() {
		err, _ := e.Data[logrus.ErrorKey].(error)
		logged = logged || e.Level == logrus.ErrorLevel && err != nil && strings.Contains(err.Error(), "plugins.yaml:3")
	}
	if !logged {
		t.Errorf("the rejected file's error was not logged with its file:line; logged %v", hook.AllEntries())
	}
}

// Files written beside the configuration (a log, an editor's swap file),
// and config.yaml saved again unchanged, reload nothing; a change of
// config.yaml does.
func TestReloadOnlyForTheConfigurationsFiles(t *testing.T) {
	a, dir, _ := appWithFiles(t, "plugins:\n  acme: [trigger]\n")
	if err := a.LoadJobs(); err != nil {
		t.Fatal(err)
	}
	loaded := a.Jobs()
	successes := testutil.ToFloat64(metrics.ConfigReloads.WithLabelValues("success"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = a.WatchJobs(ctx) }()
	time.Sleep(100 * time.Millisecond) // let the watcher start

	for i := range 20 {
		write(t, filepath.Join(dir, "fresnel.log"), strings.Repeat("line\n", i+1))
		write(t, filepath.Join(dir, ".config.yaml.swp"), "x")
	}
	time.Sleep(2 * reloadDelay)
	if got := testutil.ToFloat64(metrics.ConfigReloads.WithLabelValues("success")); got != successes || a.Jobs() != loaded {
		t.Fatalf("unrelated files reloaded the configuration (%v reloads)", got-successes)
	}

	write(t, filepath.Join(dir, "config.yaml"), reloadConfig) // saved again, unchanged
	time.Sleep(2 * reloadDelay)
	if got := testutil.ToFloat64(metrics.ConfigReloads.WithLabelValues("success")); got != successes || a.Jobs() != loaded {
		t.Fatalf("config.yaml saved unchanged was reloaded (%v reloads)", got-successes)
	}

	write(t, filepath.Join(dir, "config.yaml"), reloadConfig+"    optional: true\n")
	deadline := time.Now().Add(5 * time.Second)
	for a.Jobs() == loaded && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if a.Jobs() == loaded {
		t.Error("a change of config.yaml did not reload it")
	}
}

func TestConcernsJobs(t *testing.T) {
	a := &App{Settings: &settings.Settings{Prow: settings.ProwFiles{
		Config: "/etc/prow/config.yaml", Plugins: "/etc/prow/plugins.yaml", JobConfig: "/etc/jobs",
	}}}
	for path, want := range map[string]bool{
		"/etc/prow/config.yaml":             true,
		"/etc/prow/plugins.yaml":            true,
		"/etc/prow/..data":                  true,
		"/etc/prow/..2026_12_07_05_00_00.1": true,
		"/etc/prow/fresnel.log":             false,
		"/etc/prow/.config.yaml.swp":        false,
		"/etc/jobs/acme/widgets.yaml":       true,
		"/etc/jobs/acme/widgets.yml":        true,
		"/etc/jobs/acme/README.md":          false,
		"/etc/jobsmore/acme/widgets.yaml":   false,
		"/etc/jobs/acme/.widgets.yaml.swp":  false,
	} {
		if got := a.concernsJobs(path); got != want {
			t.Errorf("concernsJobs(%s) = %v, want %v", path, got, want)
		}
	}
}
