package app

import (
	"context"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// reloadDelay gathers the burst of events one save (or one ConfigMap
// symlink swap) makes into a single reload.
const reloadDelay = 250 * time.Millisecond

// WatchJobs reloads the job configuration whenever its files change,
// until ctx ends. A configuration that fails to load is logged and
// counted; the last good one stays in force.
func (a *App) WatchJobs(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	for _, dir := range a.watchedDirs() {
		if err := w.Add(dir); err != nil {
			return err
		}
	}
	var fire <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-w.Events:
			fire = time.After(reloadDelay)
		case err := <-w.Errors:
			a.Log.WithError(err).Warn("watching the job configuration")
		case <-fire:
			fire = nil
			a.reload()
		}
	}
}

func (a *App) reload() {
	if err := a.LoadJobs(); err != nil {
		a.Log.WithError(err).Error("job configuration rejected; the previous one stays in force")
		return
	}
	a.Log.Info("job configuration reloaded")
}

// watchedDirs are the directories of config.yaml and plugins.yaml and
// every directory of the job-config tree: watching directories catches editors' renames and
// ConfigMaps' symlink swaps.
func (a *App) watchedDirs() []string {
	dirs := []string{filepath.Dir(a.Settings.Prow.Config)}
	if plugins := a.Settings.Prow.Plugins; plugins != "" {
		dirs = append(dirs, filepath.Dir(plugins))
	}
	if root := a.Settings.Prow.JobConfig; root != "" {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
	}
	return dirs
}
