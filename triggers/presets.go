package triggers

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"sync"

	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
)

// Preset is Prow's preset: environment variables, volumes and volume
// mounts added to every pod-spec job whose labels include all of Labels
// (a preset without labels applies to every such job).
type Preset struct {
	Labels       map[string]string    `json:"labels,omitempty"`
	Env          []corev1.EnvVar      `json:"env,omitempty"`
	Volumes      []corev1.Volume      `json:"volumes,omitempty"`
	VolumeMounts []corev1.VolumeMount `json:"volumeMounts,omitempty"`

	source string
	line   int
}

// readPresetsNode reads a presets section: a list of presets, strictly.
// Like jobs, presets take a bare number or boolean where a string is
// wanted (an env value: 1).
func (f *fileReader) readPresetsNode(node *yaml.Node, budget *int) {
	value, err := nodeValue(node, budget)
	if err != nil || value == nil {
		if err != nil {
			f.problem(lineOf(node, ""), SeverityError, "presets: %v", err)
		}
		return
	}
	raw, err := json.Marshal(coerce(value, reflect.TypeFor[[]Preset]()))
	if err != nil {
		f.problem(lineOf(node, ""), SeverityError, "presets: %v", err)
		return
	}
	var presets []Preset
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&presets); err != nil {
		f.problem(lineOf(node, ""), SeverityError, "presets must be a list of {labels, env, volumes, volumeMounts}: %v", err)
		return
	}
	for i := range presets {
		presets[i].source, presets[i].line = f.source, lineOf(item(node, i), "")
	}
	f.presets = append(f.presets, presets...)
}

// applyPresets merges every matching preset into each pod-spec job, as
// Prow merges presets when it loads jobs. The jobs are this load's own:
// those of unchanged files an earlier load merged are left as they are
// (see reload.go). A conflict (a variable, volume or mount the job
// already has) is an error on the job.
func (l *loader) applyPresets() {
	jobs := l.cfg.all()
	errs := make([]error, len(jobs))
	if len(l.presets) > 0 {
		eachOnEveryCore(len(jobs), func(i int) {
			if !l.premerged[jobs[i]] {
				errs[i] = jobs[i].applyPresets(l.presets)
			}
		})
	}
	for i, j := range jobs {
		if errs[i] != nil {
			l.problem(j.Source, j.Line, SeverityError, "%s: %v", j.describe(), errs[i])
			continue
		}
		l.final[j] = true
	}
}

// eachOnEveryCore calls do for 0..n-1, spread over the cores.
func eachOnEveryCore(n int, do func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				do(i)
			}
		})
	}
	wg.Wait()
}

// presetsID identifies the presets of a load: the files that hold them.
func (l *loader) presetsID() [sha256.Size]byte {
	var sum [sha256.Size]byte
	l.presetsSum.Sum(sum[:0])
	return sum
}

func (j *Job) applyPresets(presets []Preset) error {
	var matching []Preset
	for _, p := range presets {
		if p.matches(j.Labels) {
			matching = append(matching, p)
		}
	}
	if len(matching) == 0 || j.Spec == nil {
		return nil
	}
	spec := withRoomFor(j.Spec, matching)
	for _, p := range matching {
		if err := p.mergeInto(spec); err != nil {
			return fmt.Errorf("preset at %s:%d: %w", p.source, p.line, err)
		}
	}
	run, err := podSpecRun(spec)
	if err != nil {
		return err
	}
	j.Spec, j.run = spec, run
	return nil
}

// withRoomFor copies the parts of spec the presets add to, each with room
// for exactly what they add: the decoded spec is left as it is, and the
// merged one neither shares its lists nor keeps spare capacity (a large
// configuration has thousands of pod-spec jobs with presets).
func withRoomFor(spec *corev1.PodSpec, presets []Preset) *corev1.PodSpec {
	var volumes, env, mounts int
	for _, p := range presets {
		volumes, env, mounts = volumes+len(p.Volumes), env+len(p.Env), mounts+len(p.VolumeMounts)
	}
	out := *spec
	out.Volumes = slices.Grow(slices.Clip(spec.Volumes), volumes)
	out.Containers = slices.Clone(spec.Containers)
	for i := range out.Containers {
		c := &out.Containers[i]
		c.Env = slices.Grow(slices.Clip(c.Env), env)
		c.VolumeMounts = slices.Grow(slices.Clip(c.VolumeMounts), mounts)
	}
	return &out
}

func (p Preset) matches(labels map[string]string) bool {
	for k, v := range p.Labels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func (p Preset) mergeInto(spec *corev1.PodSpec) error {
	for _, v := range p.Volumes {
		for _, have := range spec.Volumes {
			if have.Name == v.Name {
				return fmt.Errorf("volume %q is already in the pod spec", v.Name)
			}
		}
		spec.Volumes = append(spec.Volumes, v)
	}
	for i := range spec.Containers {
		c := &spec.Containers[i]
		for _, e := range p.Env {
			for _, have := range c.Env {
				if have.Name == e.Name {
					return fmt.Errorf("env %q is already set in container %q", e.Name, c.Name)
				}
			}
			c.Env = append(c.Env, e)
		}
		for _, m := range p.VolumeMounts {
			for _, have := range c.VolumeMounts {
				if have.Name == m.Name || have.MountPath == m.MountPath {
					return fmt.Errorf("volume mount %q at %s clashes with one in container %q", m.Name, m.MountPath, c.Name)
				}
			}
			c.VolumeMounts = append(c.VolumeMounts, m)
		}
	}
	return nil
}

// all lists every job, presubmits and postsubmits by repo, then periodics.
func (c *Config) all() []*Job {
	var jobs []*Job
	for _, section := range []map[string][]*Job{c.Presubmits, c.Postsubmits} {
		for _, repo := range slices.Sorted(maps.Keys(section)) {
			jobs = append(jobs, section[repo]...)
		}
	}
	return append(jobs, c.Periodics...)
}
