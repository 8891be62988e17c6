package triggers

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// loader reads configuration files into one Config and collects every
// problem, each with the file and line it is on.
type loader struct {
	cfg      *Config
	problems Problems
	// seen places the first definition of each job name and context, to
	// report duplicates within a repo.
	seen map[string]*Job
	// regexps compiles the jobs' regular expressions.
	regexps regexps
	// presets are merged into pod-spec jobs once every file is read.
	presets []Preset
}

func newLoader() *loader {
	cfg := &Config{Presubmits: map[string][]*Job{}, Postsubmits: map[string][]*Job{}}
	return &loader{cfg: cfg, seen: map[string]*Job{}, regexps: regexps{}}
}

func (l *loader) problem(file string, line int, sev Severity, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: file, Line: line, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

func (l *loader) readFile(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		l.problem(path, 0, SeverityError, "cannot read: %v", unwrapPath(err))
		return
	}
	l.readData(data, path)
}

// jobSections are the top-level keys that hold jobs; the other keys of
// config.yaml (tide, plank, ...) belong to other components.
var jobSections = []JobType{Presubmit, Postsubmit, Periodic}

func sectionKey(t JobType) string { return string(t) + "s" }

var sectionKeys = map[string]bool{"presubmits": true, "postsubmits": true, "periodics": true, "presets": true}

// readData reads one document: its values as Prow does (YAML 1.1 through
// sigs.k8s.io/yaml), its lines from a yaml.v3 node tree.
func (l *loader) readData(data []byte, source string) {
	root, nodeErr := parseNodes(data)
	if root != nil && root.Kind != yaml.MappingNode {
		l.problem(source, root.Line, SeverityError, "a configuration file must be a mapping (presubmits:, postsubmits:, periodics:, ...)")
		return
	}
	var top map[string]any
	if err := cmp.Or(nodeErr, sigsyaml.Unmarshal(data, &top)); err != nil {
		l.syntaxError(source, data, err)
		return
	}
	l.checkDuplicateKeys(source, mappingDuplicates(root, sectionKeys))
	for _, t := range jobSections {
		value, ok := top[sectionKey(t)]
		if !ok {
			continue
		}
		_, node := child(root, sectionKey(t))
		l.checkDuplicateKeys(source, duplicateKeys(node))
		if t == Periodic {
			l.readList(source, t, "", value, node)
			continue
		}
		l.readRepos(source, t, value, node)
	}
	if value, ok := top["presets"]; ok && value != nil {
		_, node := child(root, "presets")
		l.readPresets(source, value, node)
	}
}

// syntaxError reports a document that is not YAML. The two parsers place
// a syntax error on different lines, both at or before the real one; the
// later line is the closer.
func (l *loader) syntaxError(source string, data []byte, err error) {
	line, msg := yamlErrorLine(err)
	var top map[string]any
	if other := sigsyaml.Unmarshal(data, &top); other != nil {
		if otherLine, otherMsg := yamlErrorLine(other); otherLine > line {
			line, msg = otherLine, otherMsg
		}
	}
	l.problem(source, line, SeverityError, "%s", msg)
}

func (l *loader) checkDuplicateKeys(source string, dups []duplicateKey) {
	for _, d := range dups {
		l.problem(source, d.line, SeverityError, "key %q is defined twice (first on line %d)", d.key, d.first)
	}
}

// readRepos reads a presubmits or postsubmits section: a map from repo to
// a list of jobs.
func (l *loader) readRepos(source string, t JobType, value any, node *yaml.Node) {
	if value == nil {
		return
	}
	repos, ok := value.(map[string]any)
	if !ok {
		l.problem(source, lineOf(node, ""), SeverityError, "%s must map org/repo to a list of jobs", sectionKey(t))
		return
	}
	names := make([]string, 0, len(repos))
	for repo := range repos {
		names = append(names, repo)
	}
	sort.Strings(names)
	for _, repo := range names {
		_, repoNode := child(node, repo)
		l.readList(source, t, repo, repos[repo], repoNode)
	}
}

// readList reads a list of jobs: one repo's, or the periodics.
func (l *loader) readList(source string, t JobType, repo string, value any, node *yaml.Node) {
	if value == nil {
		return
	}
	list, ok := value.([]any)
	if !ok {
		where := sectionKey(t)
		if repo != "" {
			where += " of " + repo
		}
		l.problem(source, lineOf(node, ""), SeverityError, "%s must be a list of jobs", where)
		return
	}
	for i, v := range list {
		l.readJob(source, t, repo, v, item(node, i))
	}
}

// readJob decodes, completes and checks one job, and adds it when it has
// no error. A job with an unknown field is still checked, so that one run
// reports all its problems.
func (l *loader) readJob(source string, t JobType, repo string, value any, node *yaml.Node) {
	j, found := decodeJob(value)
	if j == nil {
		name, _ := nameOf(value)
		for _, f := range found {
			l.report(source, node, describe(t, name, repo), f)
		}
		return
	}
	j.Type, j.Repo, j.Source, j.Line = t, repo, source, lineOf(node, "")
	_, j.alwaysRunSet = value.(map[string]any)["always_run"]
	found = append(append(found, j.finish(l.regexps)...), j.lint()...)
	failed := false
	for _, f := range found {
		l.report(source, node, j.describe(), f)
		failed = failed || f.severity == SeverityError
	}
	if j.Name != "" && !l.unique(j, node) || failed || j.unrunnable {
		return
	}
	l.cfg.add(j)
}

func (l *loader) report(source string, node *yaml.Node, job string, f finding) {
	line := lineOf(node, f.field)
	if f.key != "" {
		if kl := keyLine(node, f.key); kl > 0 {
			line = kl
		}
	}
	l.problem(source, line, f.severity, "%s: %s", job, f.msg)
}

// unique reports a job whose name, or else whose context, another job of
// the same repo and type already has.
func (l *loader) unique(j *Job, node *yaml.Node) bool {
	if !l.claim(j, "name", j.Name, node, "") {
		return false
	}
	return j.Type != Presubmit || l.claim(j, "context", j.Context, node, "context")
}

func (l *loader) claim(j *Job, what, value string, node *yaml.Node, field string) bool {
	key := string(j.Type) + "\x00" + j.Repo + "\x00" + what + "\x00" + value
	first, dup := l.seen[key]
	if !dup {
		l.seen[key] = j
		return true
	}
	msg := fmt.Sprintf("%s %q is defined twice", j.Type, j.Name)
	if what == "context" {
		msg = fmt.Sprintf("context %q is used twice", value)
	}
	if j.Repo != "" {
		msg += " for " + j.Repo
	}
	l.problem(j.Source, lineOf(node, field), SeverityError, "%s (first at %s:%d)", msg, first.Source, first.Line)
	return false
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

// decodeJob decodes one job strictly: each unknown field is an error. The
// job is decoded again without them, so its other fields are still
// checked; any other decoding error returns no job.
func decodeJob(value any) (*Job, []finding) {
	m, ok := value.(map[string]any)
	if !ok {
		return nil, []finding{{severity: SeverityError, msg: "a job must be a mapping"}}
	}
	var unknown []finding
	removed := map[string]bool{}
	for {
		raw, err := json.Marshal(m)
		if err != nil {
			return nil, append(unknown, finding{severity: SeverityError, msg: err.Error()})
		}
		j, err := decodeJSON(raw, true)
		if err == nil {
			return j, unknown
		}
		bad := decodeFinding(err)
		if bad.key == "" {
			return nil, append(unknown, *bad)
		}
		if removed[bad.key] || !removeKey(m, bad.key) {
			// The same name again (a second occurrence, or the removed
			// one was valid where it was): stop, and decode leniently.
			j, err := decodeJSON(raw, false)
			if err != nil {
				j = nil
			}
			return j, append(unknown, *bad)
		}
		removed[bad.key] = true
		unknown = append(unknown, *bad)
	}
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

func nameOf(value any) (string, bool) {
	m, _ := value.(map[string]any)
	name, ok := m["name"].(string)
	return name, ok
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
