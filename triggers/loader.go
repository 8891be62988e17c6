package triggers

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"reflect"
	"regexp"
	"runtime"

	"sort"

	"go.yaml.in/yaml/v3"
)

// loader merges the files a load reads into one Config and collects every
// problem, each with the file and line it is on. Files are read one by one
// (readFile) or many at once (readFiles); they are merged in order, so the
// outcome does not depend on which file is read first.
type loader struct {
	cfg      *Config
	problems Problems
	// seen places the jobs of each name and context, to report duplicates
	// within a repo.
	seen map[string][]*Job
	// regexps compiles the jobs' regular expressions.
	regexps regexps
	// presets are merged into pod-spec jobs once every file is read.
	presets []Preset
	// files, when set, remembers files between loads (see reload.go).
	files *fileSet
	// premerged are jobs of unchanged files that have their presets
	// already; final are the jobs that have them now.
	premerged  map[*Job]bool
	final      map[*Job]bool
	presetsSum hash.Hash
}

func newLoader() *loader {
	cfg := &Config{Presubmits: map[string][]*Job{}, Postsubmits: map[string][]*Job{}}
	return &loader{cfg: cfg, seen: map[string][]*Job{}, regexps: newRegexps(),
		premerged: map[*Job]bool{}, final: map[*Job]bool{}, presetsSum: sha256.New()}
}

func (l *loader) problem(file string, line int, sev Severity, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: file, Line: line, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

func (l *loader) readFile(path string) { l.merge(readFile(path, l.regexps)) }

// readData reads one document; source names it in problems.
func (l *loader) readData(data []byte, source string) { l.merge(readData(data, source, l.regexps)) }

// syntaxError reports a document that is not YAML.
func (l *loader) syntaxError(source string, data []byte, err error) {
	f := &fileReader{source: source}
	f.syntaxError(data, err)
	l.problems = append(l.problems, f.problems...)
}

// readFiles reads files on every core, at most one file per core at a
// time, and merges them in the order given.
func (l *loader) readFiles(paths []string) {
	read := make([]chan *fileReader, len(paths))
	for i := range read {
		read[i] = make(chan *fileReader, 1)
	}
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		go func() {
			for i := range next {
				read[i] <- l.read(paths[i])
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range paths {
			next <- i
		}
	}()
	for _, c := range read {
		l.merge(<-c)
	}
}

func (l *loader) read(path string) *fileReader {
	if l.files == nil {
		return readFile(path, l.regexps)
	}
	return l.files.read(path, l.regexps)
}

// merge adds the jobs, presets and problems of one file. A job that is
// unique where it must be, has no error and can run joins the Config.
func (l *loader) merge(f *fileReader) {
	l.problems = append(l.problems, f.problems...)
	if len(f.presets) > 0 {
		l.presets = append(l.presets, f.presets...)
		l.presetsSum.Write(f.sum[:])
		l.presetsSum.Write([]byte(f.source))
	}
	for _, r := range f.jobs {
		if r.presetsDone {
			l.premerged[r.job] = true
		}
		if r.job.Name != "" && !l.unique(r) || r.failed || r.job.unrunnable {
			continue
		}
		l.cfg.add(r.job)
	}
}

// unique reports a job whose name, or else whose context, another job of
// the same repo and type already has on a branch both can run on. As in
// Prow, one name may be given twice when the branches cannot overlap
// (release-branch copies of a job), and a context may be shared only by
// jobs of one name.
func (l *loader) unique(r readJob) bool {
	j := r.job
	if first := l.claim(j, "name", j.Name); first != nil {
		msg := fmt.Sprintf("%s %q is defined twice", j.Type, j.Name)
		l.duplicate(j, r.line, msg, first)
		return false
	}
	if j.Type == Periodic {
		return true
	}
	if first := l.claim(j, "context", j.Context); first != nil {
		l.duplicate(j, r.contextLine, fmt.Sprintf("context %q is used twice", j.Context), first)
		return false
	}
	return true
}

// claim records j under what=value and returns an earlier job it clashes
// with: one whose branches overlap j's and, for a context, whose name is
// another.
func (l *loader) claim(j *Job, what, value string) *Job {
	key := string(j.Type) + "\x00" + j.Repo + "\x00" + what + "\x00" + value
	for _, other := range l.seen[key] {
		if (what == "name" || other.Name != j.Name) && other.BranchesOverlap(j) {
			return other
		}
	}
	l.seen[key] = append(l.seen[key], j)
	return nil
}

func (l *loader) duplicate(j *Job, line int, msg string, first *Job) {
	if j.Repo != "" {
		msg += " for " + j.Repo
	}
	l.problem(j.Source, line, SeverityError, "%s (first at %s:%d)", msg, first.Source, first.Line)
}

func (c *Config) add(j *Job) {
	switch j.Type {
	case Presubmit:
		c.Presubmits[j.Repo] = append(c.Presubmits[j.Repo], j)
	case Postsubmit:
		c.Postsubmits[j.Repo] = append(c.Postsubmits[j.Repo], j)
	default:
		c.Periodics = append(c.Periodics, j)
	}
}

func (l *loader) finish() (*Config, Problems) {
	l.applyPresets()
	l.problems.Sort()
	if l.problems.Err() != nil {
		return nil, l.problems
	}
	l.cfg.Warnings = l.problems
	return l.cfg, l.problems
}

var jobType = reflect.TypeFor[Job]()

// decodeJob decodes one job strictly: each unknown field is an error, on
// its line. The job is decoded without them, so its other fields are
// still checked; any other decoding error returns no job.
func decodeJob(node *yaml.Node, budget *int) (*Job, []finding) {
	if node == nil || node.Kind != yaml.MappingNode {
		return nil, []finding{{severity: SeverityError, msg: "a job must be a mapping"}}
	}
	w := newJSONWriter(budget)
	defer w.release()
	if err := w.write(node, jobType); err != nil {
		return nil, append(w.unknown, finding{severity: SeverityError, msg: err.Error()})
	}
	// The writer left out every unknown field, except inside a merged
	// mapping: only then is a strict decoding needed to find them.
	j, err := decodeJSON(w.buf, w.merged)
	if err == nil {
		return j, w.unknown
	}
	bad := decodeFinding(err)
	if bad.key == "" {
		return nil, append(w.unknown, *bad)
	}
	j, err = decodeJSON(w.buf, false)
	if err != nil {
		j = nil
	}
	return j, append(w.unknown, *bad)
}

// removeKey deletes the first key named key in the order the JSON decoder
// meets keys (sorted, depth first), which is where an unknown field it
// reports is first found.
func removeKey(v any, key string) bool {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == key {
				delete(v, k)
				return true
			}
			if removeKey(v[k], key) {
				return true
			}
		}
	case []any:
		for _, item := range v {
			if removeKey(item, key) {
				return true
			}
		}
	}
	return false
}

func decodeJSON(raw []byte, strict bool) (*Job, error) {
	if !strict {
		var j Job
		if err := json.Unmarshal(raw, &j); err != nil {
			return nil, err
		}
		return &j, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if strict {
		dec.DisallowUnknownFields()
	}
	var j Job
	if err := dec.Decode(&j); err != nil {
		return nil, err
	}
	return &j, nil
}

var unknownFieldRe = regexp.MustCompile(`^json: unknown field "(.*)"$`)

// decodeFinding places a decoding error on the field it is about.
func decodeFinding(err error) *finding {
	f := &finding{severity: SeverityError, msg: err.Error()}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		f.field = typeErr.Field
		f.msg = fmt.Sprintf("%s: want %s, not %s", typeErr.Field, typeErr.Type, typeErr.Value)
		return f
	}
	if m := unknownFieldRe.FindStringSubmatch(err.Error()); m != nil {
		f.key = m[1]
		f.msg = fmt.Sprintf("unknown field %q", m[1])
	}
	return f
}

// nameOf returns a job's name as written, for messages about a job that
// could not be decoded.
func nameOf(node *yaml.Node) string {
	if _, v := child(node, "name"); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// describe names a job in messages: presubmit "unit" of org/repo.
func describe(t JobType, name, repo string) string {
	s := string(t)
	if name != "" {
		s += fmt.Sprintf(" %q", name)
	}
	if repo != "" {
		s += " of " + repo
	}
	return s
}

func (j *Job) describe() string { return describe(j.Type, j.Name, j.Repo) }

// unwrapPath drops the path an fs error repeats.
func unwrapPath(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}
