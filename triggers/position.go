package triggers

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Job values are decoded as Prow decodes them (sigs.k8s.io/yaml, so YAML
// 1.1: yes is true); a second parse into yaml.v3 nodes serves only to
// place each problem on its line.

// parseNodes parses a document into its root node; nil for an empty one.
// A document with an alias inside the value it names (&a [*a]) is an
// error: nothing could read it to the end.
func parseNodes(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	if alias := aliasCycle(&doc, map[*yaml.Node]bool{}); alias != nil {
		return nil, fmt.Errorf("yaml: line %d: alias %q refers to a value that contains it", alias.Line, alias.Value)
	}
	return resolve(doc.Content[0]), nil
}

// aliasCycle returns an alias under n that names n or a node around it
// (open), without following aliases. An alias can only name an anchor
// written before it, so every cycle has such an alias.
func aliasCycle(n *yaml.Node, open map[*yaml.Node]bool) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		if open[n.Alias] {
			return n
		}
		return nil
	}
	open[n] = true
	defer delete(open, n)
	for _, c := range n.Content {
		if alias := aliasCycle(c, open); alias != nil {
			return alias
		}
	}
	return nil
}

var yamlLineRe = regexp.MustCompile(`line (\d+): (.*)`)

// yamlErrorLine splits a YAML parser error into its line and message.
func yamlErrorLine(err error) (int, string) {
	m := yamlLineRe.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, err.Error()
	}
	line, _ := strconv.Atoi(m[1])
	return line, m[2]
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// child returns the key and value nodes of key in mapping n, looking
// through merge keys (<<) as YAML does; nil when absent.
func child(n *yaml.Node, key string) (k, v *yaml.Node) {
	return mergedChild(n, key, nil)
}

// mergedChild is child; seen holds the merged mappings looked in
// already, so that mappings merged many times over are each looked in
// once.
func mergedChild(n *yaml.Node, key string, seen map[*yaml.Node]bool) (k, v *yaml.Node) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	var merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case key:
			return n.Content[i], resolve(n.Content[i+1])
		case "<<":
			merged = append(merged, mergeSources(n.Content[i+1])...)
		}
	}
	if len(merged) > 0 && seen == nil {
		seen = map[*yaml.Node]bool{}
	}
	for _, m := range merged {
		if m = resolve(m); m == nil || seen[m] {
			continue
		}
		seen[m] = true
		if k, v := mergedChild(m, key, seen); k != nil {
			return k, v
		}
	}
	return nil, nil
}

func mergeSources(n *yaml.Node) []*yaml.Node {
	n = resolve(n)
	if n != nil && n.Kind == yaml.SequenceNode {
		return n.Content
	}
	return []*yaml.Node{n}
}

// item returns the i-th entry of sequence n, or nil.
func item(n *yaml.Node, i int) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
		return nil
	}
	return resolve(n.Content[i])
}

// lineOf returns the line of path under n: a dotted path of keys and
// sequence indexes (spec.containers.0.image). Where a key meets a
// sequence without an index (spec.containers.image), each entry is
// searched. When the path is found only in part, it returns the line of
// the deepest key found, else n's own line, so a problem in a job always
// has a line.
func lineOf(n *yaml.Node, path string) int {
	if n == nil {
		return 0
	}
	if path == "" {
		return n.Line
	}
	if line := pathLine(n, strings.Split(path, ".")); line > 0 {
		return line
	}
	return n.Line
}

func pathLine(n *yaml.Node, path []string) int {
	n = resolve(n)
	if n == nil {
		return 0
	}
	seg, rest := path[0], path[1:]
	if n.Kind == yaml.SequenceNode {
		return sequenceLine(n, seg, path)
	}
	k, v := child(n, seg)
	if k == nil {
		return 0
	}
	if len(rest) == 0 {
		return k.Line
	}
	if line := pathLine(v, rest); line > 0 {
		return line
	}
	return k.Line
}

func sequenceLine(n *yaml.Node, seg string, path []string) int {
	if i, err := strconv.Atoi(seg); err == nil {
		entry := item(n, i)
		if entry == nil {
			return 0
		}
		if len(path) == 1 {
			return entry.Line
		}
		return pathLine(entry, path[1:])
	}
	for _, entry := range n.Content {
		if line := pathLine(entry, path); line > 0 {
			return line
		}
	}
	return 0
}

// keyLine returns the line of the first key named key anywhere under n,
// depth first; 0 when there is none. Decoding errors that name a field
// but not its path (an unknown field) are placed with it.
func keyLine(n *yaml.Node, key string) int {
	n = resolve(n)
	if n == nil {
		return 0
	}
	if n.Kind != yaml.MappingNode {
		for _, c := range n.Content {
			if line := keyLine(c, key); line > 0 {
				return line
			}
		}
		return 0
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i].Line
		}
		if line := keyLine(n.Content[i+1], key); line > 0 {
			return line
		}
	}
	return 0
}

// duplicateKey is a key defined twice in one mapping.
type duplicateKey struct {
	key         string
	line, first int
}

// duplicateKeys finds keys defined twice in one mapping anywhere under n.
// YAML forbids them; the decoder would silently keep the last.
func duplicateKeys(n *yaml.Node) []duplicateKey {
	if n == nil || n.Kind == yaml.AliasNode {
		return nil
	}
	dups := mappingDuplicates(n, nil)
	for _, c := range n.Content {
		dups = append(dups, duplicateKeys(c)...)
	}
	return dups
}

// mappingDuplicates finds the keys defined twice in mapping n itself,
// only those in only when only is not nil.
func mappingDuplicates(n *yaml.Node, only map[string]bool) []duplicateKey {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var dups []duplicateKey
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Value == "<<" || only != nil && !only[k.Value] {
			continue
		}
		if first, ok := seen[k.Value]; ok {
			dups = append(dups, duplicateKey{key: k.Value, line: k.Line, first: first})
			continue
		}
		seen[k.Value] = k.Line
	}
	return dups
}
