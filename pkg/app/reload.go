package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
		case ev := <-w.Events:
			if a.concernsJobs(ev.Name) {
				fire = time.After(reloadDelay)
			}
		case err := <-w.Errors:
			a.Log.WithError(err).Warn("watching the job configuration")
		case <-fire:
			fire = nil
			a.reload()
		}
	}
}

func (a *App) reload() {
	if digest, err := a.configDigest(); err == nil && a.loaded.Load() != nil && digest == *a.loaded.Load() {
		a.Log.Debug("job configuration unchanged; not reloaded")
		return
	}
	if err := a.LoadJobs(); err != nil {
		a.Log.WithError(err).Error("job configuration rejected; the previous one stays in force")
		return
	}
	a.Log.Info("job configuration reloaded")
}

// configDigest hashes the names and contents of the files the job
// configuration is read from: config.yaml, plugins.yaml and the YAML files
// of the job-config tree, in a fixed order.
func (a *App) configDigest() (string, error) {
	prow := a.Settings.Prow
	files := []string{prow.Config}
	if prow.Plugins != "" {
		files = append(files, prow.Plugins)
	}
	if root := prow.JobConfig; root != "" {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (filepath.Ext(path) == ".yaml" || filepath.Ext(path) == ".yml") {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			return "", err
		}
	}
	h := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// concernsJobs reports whether a change to the file at path can change
// the job configuration: config.yaml or plugins.yaml themselves, a
// ConfigMap mount's data swap (its "..data" link and "..<timestamp>"
// directories), or a YAML file of the job-config tree. Anything else
// written beside them (a log, an editor's swap file) reloads nothing.
func (a *App) concernsJobs(path string) bool {
	path = filepath.Clean(path)
	name := filepath.Base(path)
	prow := a.Settings.Prow
	switch {
	case strings.HasPrefix(name, ".."):
		return true
	case path == filepath.Clean(prow.Config) || prow.Plugins != "" && path == filepath.Clean(prow.Plugins):
		return true
	case prow.JobConfig == "" || !within(filepath.Clean(prow.JobConfig), path):
		return false
	}
	ext := filepath.Ext(name)
	return ext == ".yaml" || ext == ".yml"
}

// within reports whether path is root or below it.
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
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
