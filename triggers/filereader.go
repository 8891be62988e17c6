package triggers

import (
	"fmt"
	"os"

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
	// sum is the SHA-256 of the file's content, when read by Check.
	sum [32]byte
}

// readJob is a job as one file gives it, before it meets the other files.
type readJob struct {
	job *Job
	// failed is set when the job has an error: it is checked for
	// duplicates but not added.
	failed bool
	// line and contextLine place a duplicate name or context.
	line, contextLine int
	// presetsDone is set on a job a load has merged presets into (see
	// reload.go).
	presetsDone bool
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
	budget := aliasBudget(len(data))
	for _, t := range jobSections {
		f.readSection(root, t, budget)
	}
	if _, node := child(root, "presets"); node != nil {
		f.readPresetsNode(node, budget)
	}
	return f
}

// readSection reads the presubmits, postsubmits or periodics of a file.
func (f *fileReader) readSection(root *yaml.Node, t JobType, budget *int) {
	_, node := child(root, sectionKey(t))
	if node == nil || isNull(node) {
		return
	}
	f.checkDuplicateKeys(duplicateKeys(node))
	if t == Periodic {
		f.readList(t, "", node, budget)
		return
	}
	f.readRepos(t, node, budget)
}

// isNull reports an empty or null value (presubmits: with nothing after).
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Style == 0 && plainValue(n.Value) == nil
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
func (f *fileReader) readRepos(t JobType, node *yaml.Node, budget *int) {
	if node.Kind != yaml.MappingNode {
		f.problem(lineOf(node, ""), SeverityError, "%s must map org/repo to a list of jobs", sectionKey(t))
		return
	}
	for _, repo := range mappingKeys(node) {
		_, list := child(node, repo)
		if list != nil && !isNull(list) {
			f.readList(t, repo, list, budget)
		}
	}
}

// mappingKeys lists the keys of a mapping, merged ones included, each
// once, in the order they are written.
func mappingKeys(n *yaml.Node) []string {
	var keys []string
	addMappingKeys(n, &keys, map[string]bool{}, map[*yaml.Node]bool{})
	return keys
}

// addMappingKeys adds n's keys to keys; each merged mapping is visited
// once however often it is merged.
func addMappingKeys(n *yaml.Node, keys *[]string, seen map[string]bool, visited map[*yaml.Node]bool) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Value != "<<" || k.Style != 0 {
			*keys = appendNew(*keys, seen, k.Value)
			continue
		}
		for _, m := range mergeSources(n.Content[i+1]) {
			if m = resolve(m); m != nil && m.Kind == yaml.MappingNode && !visited[m] {
				visited[m] = true
				addMappingKeys(m, keys, seen, visited)
			}
		}
	}
}

func appendNew(keys []string, seen map[string]bool, more ...string) []string {
	for _, k := range more {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// readList reads a list of jobs: one repo's, or the periodics.
func (f *fileReader) readList(t JobType, repo string, node *yaml.Node, budget *int) {
	if node.Kind != yaml.SequenceNode {
		where := sectionKey(t)
		if repo != "" {
			where += " of " + repo
		}
		f.problem(lineOf(node, ""), SeverityError, "%s must be a list of jobs", where)
		return
	}
	for i := range node.Content {
		f.readJob(t, repo, item(node, i), budget)
	}
}

// readJob decodes, completes and checks one job. A job with an unknown
// field is still checked, so that one run reports all its problems.
func (f *fileReader) readJob(t JobType, repo string, node *yaml.Node, budget *int) {
	j, found := decodeJob(node, budget)
	if j == nil {
		for _, fd := range found {
			f.report(node, describe(t, nameOf(node), repo), fd)
		}
		return
	}
	j.Type, j.Repo, j.Source, j.Line = t, repo, f.source, lineOf(node, "")
	k, _ := child(node, "always_run")
	j.alwaysRunSet = k != nil
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
	if fd.line > 0 {
		line = fd.line
	}
	if fd.key != "" {
		if kl := keyLine(node, fd.key); kl > 0 {
			line = kl
		}
	}
	f.problem(line, fd.severity, "%s: %s", job, fd.msg)
}
