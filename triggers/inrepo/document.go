package inrepo

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/fresnel-ci/fresnel/triggers"
)

// In-repo files hold job lists without the repo key central files have,
// and Lighthouse's name their run definition in a file of its own. Each is
// rewritten, as a YAML node tree, into the shape triggers.Parse reads:
//
//	presubmits:
//	  org/repo: [the file's presubmits]
//
// and the problems Parse reports on the rewrite are put back on the file
// and line they came from.

// problem is one thing wrong with an in-repo file, in the form the
// triggers loader reports its own.
func problem(file string, line int, format string, args ...any) error {
	return triggers.Problem{File: file, Line: line, Severity: triggers.SeverityError, Message: fmt.Sprintf(format, args...)}
}

// parseYAML parses one file into its root node, nil when it is empty.
func parseYAML(data []byte, file string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxProblem(data, file, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// syntaxProblem reports a file that is not YAML where the triggers loader
// would: the two parsers place a syntax error on different lines, both at
// or before the real one, so the later line is the closer.
func syntaxProblem(data []byte, file string, err error) error {
	line, msg := yamlErrorLine(err)
	var v any
	if other := sigsyaml.Unmarshal(data, &v); other != nil {
		if otherLine, otherMsg := yamlErrorLine(other); otherLine > line {
			line, msg = otherLine, otherMsg
		}
	}
	return problem(file, line, "%s", msg)
}

var yamlLineRe = regexp.MustCompile(`line (\d+): (.*)`)

// yamlErrorLine splits "yaml: line 3: did not find expected key".
func yamlErrorLine(err error) (int, string) {
	m := yamlLineRe.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, strings.TrimPrefix(err.Error(), "yaml: ")
	}
	line, _ := strconv.Atoi(m[1])
	return line, m[2]
}

// field is one key of a mapping with its value.
type field struct {
	key, value *yaml.Node
}

// fields returns the keys of mapping n with their values, in order,
// checking each against allowed: a key that maps to "" is read, one that
// maps to a reason is refused with it, and any other is unknown.
func fields(n *yaml.Node, file, what string, allowed map[string]string) ([]field, error) {
	if n.Kind != yaml.MappingNode {
		return nil, problem(file, n.Line, "%s must be a mapping", what)
	}
	var out []field
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		why, ok := allowed[k.Value]
		switch {
		case !ok:
			errs = append(errs, problem(file, k.Line, "%s: unknown field %q", what, k.Value))
		case why != "":
			errs = append(errs, problem(file, k.Line, "%s: %s", what, why))
		case lookup(out, k.Value) != nil:
			errs = append(errs, problem(file, k.Line, "%s: key %q is defined twice", what, k.Value))
		default:
			out = append(out, field{key: k, value: v})
		}
	}
	return out, errors.Join(errs...)
}

// lookup returns the value of key among fs, nil when it is absent.
func lookup(fs []field, key string) *yaml.Node {
	for _, f := range fs {
		if f.key.Value == key {
			return f.value
		}
	}
	return nil
}

// wrap builds the central form of a file for repo: its presubmits and
// postsubmits lists under the repo key, its other fields kept, so the
// anchors they hold still come before their aliases. The triggers loader
// reads only the job sections.
func wrap(repo string, fs []field) *yaml.Node {
	root := mapping()
	for _, f := range fs {
		value := f.value
		if f.key.Value == "presubmits" || f.key.Value == "postsubmits" {
			value = mapping(scalar(repo), f.value)
		}
		root.Content = append(root.Content, f.key, value)
	}
	return root
}

func mapping(content ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: content}
}

func scalar(value string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Style: yaml.DoubleQuotedStyle}
}

// origin is where a line of a rewrite came from.
type origin struct {
	file string
	line int
}

// parseJobs encodes root, reads it with triggers.Parse as file, and puts
// every problem and job back on the line it came from: a line of file, or
// of the file named in sources for the subtree a node of sources starts.
func parseJobs(root *yaml.Node, file string, sources map[*yaml.Node]string) (*triggers.Config, error) {
	plainTags(root)
	data, err := yaml.Marshal(root)
	if err != nil {
		return nil, problem(file, 0, "rewrite for loading: %v", err)
	}
	var again yaml.Node
	if err := yaml.Unmarshal(data, &again); err != nil || len(again.Content) == 0 {
		return nil, problem(file, 0, "rewrite for loading: %v", err)
	}
	lines := map[int]origin{}
	mapLines(lines, root, again.Content[0], file, sources)
	cfg, err := triggers.Parse(data, file)
	if err != nil {
		return nil, relocate(err, lines, file)
	}
	for _, jobs := range [][]*triggers.Job{allJobs(cfg.Presubmits), allJobs(cfg.Postsubmits)} {
		for _, j := range jobs {
			j.Line = lines[j.Line].line
		}
	}
	for i, w := range cfg.Warnings {
		cfg.Warnings[i] = relocated(w, lines, file)
	}
	return cfg, nil
}

// plainTags drops the resolved tags of plain scalars, so the encoder
// writes them as they were written: the triggers loader reads YAML 1.1,
// where a plain yes is true, as Prow does.
func plainTags(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Style&yaml.TaggedStyle == 0 {
		n.Tag = ""
	}
	for _, c := range n.Content {
		plainTags(c)
	}
}

// mapLines records, for each node of the rewrite as parsed again, the
// line its original is on. The two trees have the same shape.
func mapLines(lines map[int]origin, orig, again *yaml.Node, file string, sources map[*yaml.Node]string) {
	if src, ok := sources[orig]; ok {
		file = src
	}
	if _, seen := lines[again.Line]; !seen && orig.Line > 0 {
		lines[again.Line] = origin{file: file, line: orig.Line}
	}
	if orig.Kind == yaml.AliasNode || len(orig.Content) != len(again.Content) {
		return
	}
	for i := range orig.Content {
		mapLines(lines, orig.Content[i], again.Content[i], file, sources)
	}
}

// relocate moves each problem triggers.Parse reported on the rewrite to
// the file and line it came from; one on a line of the rewrite alone
// keeps the file and no line.
func relocate(err error, lines map[int]origin, file string) error {
	var errs []error
	for _, e := range unjoin(err) {
		var p triggers.Problem
		if !errors.As(e, &p) {
			errs = append(errs, e)
			continue
		}
		errs = append(errs, relocated(p, lines, file))
	}
	return errors.Join(errs...)
}

// relocated is p on the file and line its line of the rewrite came from.
func relocated(p triggers.Problem, lines map[int]origin, file string) triggers.Problem {
	o, ok := lines[p.Line]
	if !ok {
		o = origin{file: file}
	}
	p.File, p.Line = o.file, o.line
	return p
}

func unjoin(err error) []error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	return []error{err}
}

func allJobs(byRepo map[string][]*triggers.Job) []*triggers.Job {
	var out []*triggers.Job
	for _, jobs := range byRepo {
		out = append(out, jobs...)
	}
	return out
}
