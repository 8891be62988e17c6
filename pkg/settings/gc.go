package settings

import (
	"errors"
	"time"
)

// GC configures the deletion of finished PipelineRuns by the controller.
type GC struct {
	// Disabled keeps every run.
	Disabled bool `json:"disabled,omitempty"`
	// MaxAge deletes runs finished longer ago than this (default 7 days).
	MaxAge Duration `json:"maxAge,omitempty"`
	// KeepPerJob keeps only the newest N finished runs of each job and
	// repository; 0 (the default) keeps any number.
	KeepPerJob int `json:"keepPerJob,omitempty"`
	// Interval is how often the controller looks (default 10 minutes).
	Interval Duration `json:"interval,omitempty"`
	// DeletesPerSecond paces deletions (default 5).
	DeletesPerSecond float64 `json:"deletesPerSecond,omitempty"`
}

// GC defaults.
const (
	DefaultGCMaxAge           = 7 * 24 * time.Hour
	DefaultGCInterval         = 10 * time.Minute
	DefaultGCDeletesPerSecond = 5
)

func (g *GC) applyDefaults() {
	defaultDuration(&g.MaxAge, DefaultGCMaxAge)
	defaultDuration(&g.Interval, DefaultGCInterval)
	if g.DeletesPerSecond == 0 {
		g.DeletesPerSecond = DefaultGCDeletesPerSecond
	}
}

func (g *GC) validate() error {
	var errs []error
	if g.MaxAge.Duration < 0 || g.Interval.Duration < 0 {
		errs = append(errs, errors.New("gc: maxAge and interval must be positive durations"))
	}
	if g.KeepPerJob < 0 {
		errs = append(errs, errors.New("gc: keepPerJob must be 0 (no limit) or more"))
	}
	if g.DeletesPerSecond < 0 {
		errs = append(errs, errors.New("gc: deletesPerSecond must be positive"))
	}
	return errors.Join(errs...)
}
