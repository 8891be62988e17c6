package triggers

import (
	"fmt"
	"os"
	"sort"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// fileReader reads one configuration file: its jobs, decoded, completed
// and checked, its presets and its problems. It keeps nothing of the YAML
// once done, and shares only the regexps cache, so many files can be read
// at once.
type fileReader struct {
	source   string
	regexps  regexps
	problems Problems
	jobs     []readJob
	presets  []Preset
}

// readJob is a job as one file gives it, before it meets the other files.
type readJob struct {
	job *Job
	// failed is set when the job has an error: it is checked for
	// duplicates but not added.
	failed bool
	// line and contextLine place a duplicate name or context.
	line, contextLine int
}

func (f *fileReader) problem(line int, sev Severity, format string, args ...any) {
	f.problems = append(f.problems, Problem{File: f.source, Line: line, Severity: sev, Message: fmt.Sprintf(format, args...)})
}

func readFile(path string, rs regexps) *fileReader {
	data, err := os.ReadFile(path)
	if err != nil {
		f := &fileReader{source: path}
		f.problem(0, SeverityError, "cannot read: %v", unwrapPath(err))
		return f
	}
	return readData(data, path, rs)
}

// jobSections are the top-level keys that hold jobs; the other keys of
// config.yaml (tide, plank, ...) belong to other components.
var jobSections = []JobType{Presubmit, Postsubmit, Periodic}

func sectionKey(t JobType) string { return string(t) + "s" }

var sectionKeys = map[string]bool{"presubmits": true, "postsubmits": true, "periodics": true, "presets": true}

// readData reads one document. It is parsed once, into yaml.v3 nodes that
// place problems on their lines; the values are built from the nodes as
// Prow reads them (see yamlvalue.go).
func readData(data []byte, source string, rs regexps) *fileReader {
	f := &fileReader{source: source, regexps: rs}
	root, err := parseNodes(data)
	if err != nil {
		f.syntaxError(data, err)
		return f
	}
	if root != nil && root.Kind != yaml.MappingNode {
		f.problem(root.Line, SeverityError, "a configuration file must be a mapping (presubmits:, postsubmits:, periodics:, ...)")
		return f
	}
	f.checkDuplicateKeys(mappingDuplicates(root, sectionKeys))
	for _, t := range jobSections {
		f.readSection(root, t, len(data))
	}
	if _, node := child(root, "presets"); node != nil {
		f.readPresetsNode(node, len(data))
	}
	return f
}

// readSection reads the presubmits, postsubmits or periodics of a file.
func (f *fileReader) readSection(root *yaml.Node, t JobType, size int) {
	_, node := child(root, sectionKey(t))
	if node == nil {
		return
	}
	f.checkDuplicateKeys(duplicateKeys(node))
	value, err := nodeValue(node, size)
	if err != nil {
		f.problem(node.Line, SeverityError, "%s: %v", sectionKey(t), err)
		return
	}
	if t == Periodic {
		f.readList(t, "", value, node)
		return
	}
	f.readRepos(t, value, node)
}

// syntaxError reports a document that is not YAML. The two parsers place
// a syntax error on different lines, both at or before the real one; the
// later line is the closer.
func (f *fileReader) syntaxError(data []byte, err error) {
	line, msg := yamlErrorLine(err)
	var top map[string]any
	if other := sigsyaml.Unmarshal(data, &top); other != nil {
		if otherLine, otherMsg := yamlErrorLine(other); otherLine > line {
			line, msg = otherLine, otherMsg
		}
	}
	f.problem(line, SeverityError, "%s", msg)
}

func (f *fileReader) checkDuplicateKeys(dups []duplicateKey) {
	for _, d := range dups {
		f.problem(d.line, SeverityError, "key %q is defined twice (first on line %d)", d.key, d.first)
	}
}

// readRepos reads a presubmits or postsubmits section: a map from repo to
// a list of jobs.
func (f *fileReader) readRepos(t JobType, value any, node *yaml.Node) {
	if value == nil {
		return
	}
	repos, ok := value.(map[string]any)
	if !ok {
		f.problem(lineOf(node, ""), SeverityError, "%s must map org/repo to a list of jobs", sectionKey(t))
		return
	}
	names := make([]string, 0, len(repos))
	for repo := range repos {
		names = append(names, repo)
	}
	sort.Strings(names)
	for _, repo := range names {
		_, repoNode := child(node, repo)
		f.readList(t, repo, repos[repo], repoNode)
	}
}

// readList reads a list of jobs: one repo's, or the periodics.
func (f *fileReader) readList(t JobType, repo string, value any, node *yaml.Node) {
	if value == nil {
		return
	}
	list, ok := value.([]any)
	if !ok {
		where := sectionKey(t)
		if repo != "" {
			where += " of " + repo
		}
		f.problem(lineOf(node, ""), SeverityError, "%s must be a list of jobs", where)
		return
	}
	for i, v := range list {
		f.readJob(t, repo, v, item(node, i))
	}
}

// readJob decodes, completes and checks one job. A job with an unknown
// field is still checked, so that one run reports all its problems.
func (f *fileReader) readJob(t JobType, repo string, value any, node *yaml.Node) {
	j, found := decodeJob(value)
	if j == nil {
		name, _ := nameOf(value)
		for _, fd := range found {
			f.report(node, describe(t, name, repo), fd)
		}
		return
	}
	j.Type, j.Repo, j.Source, j.Line = t, repo, f.source, lineOf(node, "")
	_, j.alwaysRunSet = value.(map[string]any)["always_run"]
	found = append(append(found, j.finish(f.regexps)...), j.lint()...)
	failed := false
	for _, fd := range found {
		f.report(node, j.describe(), fd)
		failed = failed || fd.severity == SeverityError
	}
	f.jobs = append(f.jobs, readJob{job: j, failed: failed, line: j.Line, contextLine: lineOf(node, "context")})
}

func (f *fileReader) report(node *yaml.Node, job string, fd finding) {
	line := lineOf(node, fd.field)
	if fd.key != "" {
		if kl := keyLine(node, fd.key); kl > 0 {
			line = kl
		}
	}
	f.problem(line, fd.severity, "%s: %s", job, fd.msg)
}
