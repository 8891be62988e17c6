package triggers

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Prow reads its files with sigs.k8s.io/yaml, which parses YAML 1.1 (yes
// is true, 010 is 8) and turns it into JSON. The loader parses each file
// once, into yaml.v3 nodes for the lines, and builds the same values from
// those nodes with the YAML 1.1 rules for plain scalars.

// errAliasBudget stops a document whose aliases expand without bound.
var errAliasBudget = errors.New("aliases expand to too many values")

// valueBuilder turns nodes into plain values: map[string]any, []any,
// string, int64, uint64, float64, bool and nil.
type valueBuilder struct {
	// budget is how many more nodes may be visited, shared by all that
	// is built from one document: aliases can make a small document
	// expand exponentially.
	budget *int
	// active holds the nodes being built, to refuse an alias to an
	// enclosing node.
	active map[*yaml.Node]bool
}

// aliasBudget is how many nodes the values of a document of size bytes
// may count, aliases expanded: far more than any real file needs.
func aliasBudget(size int) *int {
	budget := 1_000_000 + 20*size
	return &budget
}

// nodeValue returns the value of n as sigs.k8s.io/yaml would decode it
// into an interface{}, spending budget (see aliasBudget).
func nodeValue(n *yaml.Node, budget *int) (any, error) {
	b := &valueBuilder{budget: budget, active: map[*yaml.Node]bool{}}
	return b.value(n)
}

func (b *valueBuilder) value(n *yaml.Node) (any, error) {
	if n == nil {
		return nil, nil
	}
	if *b.budget--; *b.budget < 0 {
		return nil, errAliasBudget
	}
	switch n.Kind {
	case yaml.AliasNode:
		if b.active[n.Alias] {
			return nil, fmt.Errorf("line %d: alias %q refers to a value that contains it", n.Line, n.Value)
		}
		return b.value(n.Alias)
	case yaml.MappingNode:
		return b.mapping(n)
	case yaml.SequenceNode:
		return b.sequence(n)
	case yaml.ScalarNode:
		return scalarValue(n), nil
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return b.value(n.Content[0])
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

func (b *valueBuilder) sequence(n *yaml.Node) (any, error) {
	b.active[n] = true
	defer delete(b.active, n)
	list := make([]any, len(n.Content))
	for i, c := range n.Content {
		v, err := b.value(c)
		if err != nil {
			return nil, err
		}
		list[i] = v
	}
	return list, nil
}

// mapping builds a map as Prow's reader (go.yaml.in/yaml/v2) does, in
// the order the keys are written: a merge key (<<) sets the keys of the
// mappings it names, over any written before it; a key written after it
// overrides a merged one; of several merged mappings, the first wins. A
// key given twice keeps its last value (checkDuplicateKeys reports it).
func (b *valueBuilder) mapping(n *yaml.Node) (any, error) {
	b.active[n] = true
	defer delete(b.active, n)
	m := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style == 0 {
			if err := b.merge(m, mergeSources(v)); err != nil {
				return nil, err
			}
			continue
		}
		key, err := b.key(k)
		if err != nil {
			return nil, err
		}
		if m[key], err = b.value(v); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// merge sets the keys of sources in m, the last source first so that the
// first wins.
func (b *valueBuilder) merge(m map[string]any, sources []*yaml.Node) error {
	for i := len(sources) - 1; i >= 0; i-- {
		v, err := b.value(sources[i])
		if err != nil {
			return err
		}
		other, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("line %d: a merge key (<<) must name a mapping or a list of mappings", sources[i].Line)
		}
		for k, val := range other {
			m[k] = val
		}
	}
	return nil
}

// key turns a mapping key into the string JSON needs, as sigs.k8s.io/yaml
// does: true for a yes, 8 for an 010.
func (b *valueBuilder) key(n *yaml.Node) (string, error) {
	v, err := b.value(n)
	if err != nil {
		return "", err
	}
	switch v := v.(type) {
	case string:
		return v, nil
	case nil:
		return "null", nil
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	case map[string]any, []any:
		return "", fmt.Errorf("line %d: a mapping key must be a scalar", n.Line)
	}
	return fmt.Sprint(v), nil
}

// scalarValue resolves a scalar: a quoted or block scalar, or one tagged
// !!str, is a string; a plain one follows YAML 1.1.
func scalarValue(n *yaml.Node) any {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value
	}
	if n.Style&yaml.TaggedStyle != 0 && (n.Tag == "!!str" || n.Tag == "!!binary") {
		return n.Value
	}
	return plainValue(n.Value)
}

var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"true": true, "True": true, "TRUE": true,
	"n": false, "N": false, "no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
	"false": false, "False": false, "FALSE": false,
}

var yaml11Float = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// plainValue resolves a plain scalar by the YAML 1.1 rules
// sigs.k8s.io/yaml's parser applies: null, booleans (yes, on, ...),
// integers (decimal, 0x, 0b, leading-0 octal, with _ separators), floats;
// anything else, timestamps included, is a string.
func plainValue(s string) any {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return nil
	}
	if b, ok := yaml11Bools[s]; ok {
		return b
	}
	if !strings.ContainsAny(s[:1], "+-.0123456789") || !numberLike(s) {
		return s
	}
	if v, ok := numberValue(s); ok {
		return v
	}
	return s
}

// numberLike reports whether s has only the characters a YAML 1.1 number
// can have, so most words (2Gi, 90m, v1.2) are not parsed as numbers.
func numberLike(s string) bool {
	for i := range len(s) {
		if !strings.ContainsRune("0123456789_+-.xXoObBaAcCdDeEfFiInNtT", rune(s[i])) {
			return false
		}
	}
	return true
}

func numberValue(s string) (any, bool) {
	plain := strings.ReplaceAll(s, "_", "")
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return i, true
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return u, true
	}
	if yaml11Float.MatchString(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return f, true
		}
	}
	switch s {
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
		return math.Inf(1), true
	case "-.inf", "-.Inf", "-.INF":
		return math.Inf(-1), true
	case ".nan", ".NaN", ".NAN":
		return math.NaN(), true
	}
	return nil, false
}
