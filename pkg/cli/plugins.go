package cli

import (
	"fmt"
	"os"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/fresnel-ci/fresnel/triggers"
)

// checkPlugins checks the shape of plugins.yaml: YAML whose plugins
// section maps an org or org/repo to the plugins enabled there, either as
// a list (Prow's older form) or as {plugins: [...], excluded_repos: [...]}.
// The other sections belong to plugins and are not checked here.
func checkPlugins(path string) triggers.Problems {
	data, err := os.ReadFile(path)
	if err != nil {
		return problemsAt(path, 0, "cannot read: %v", unwrapPath(err))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlError(err)
		return problemsAt(path, line, "%s", msg)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return problemsAt(path, root.Line, "plugins.yaml must be a mapping")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "plugins" {
			return checkEnabledPlugins(path, root.Content[i+1])
		}
	}
	return nil
}

func checkEnabledPlugins(path string, n *yaml.Node) triggers.Problems {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return problemsAt(path, n.Line, "plugins must map an org or org/repo to its plugins")
	}
	var ps triggers.Problems
	for i := 0; i+1 < len(n.Content); i += 2 {
		ps = append(ps, checkOrgPlugins(path, n.Content[i].Value, n.Content[i+1])...)
	}
	return ps
}

func checkOrgPlugins(path, org string, n *yaml.Node) triggers.Problems {
	switch n.Kind {
	case yaml.SequenceNode:
		return checkNames(path, org, n)
	case yaml.MappingNode:
	default:
		return problemsAt(path, n.Line, "plugins of %s: want a list of plugin names or {plugins: [...]}", org)
	}
	var ps triggers.Problems
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := n.Content[i], n.Content[i+1]
		switch key.Value {
		case "plugins", "excluded_repos":
			ps = append(ps, checkNames(path, org+" "+key.Value, value)...)
		default:
			ps = append(ps, problemsAt(path, key.Line, "plugins of %s: unknown field %q", org, key.Value)...)
		}
	}
	return ps
}

func checkNames(path, what string, n *yaml.Node) triggers.Problems {
	if n.Kind != yaml.SequenceNode {
		return problemsAt(path, n.Line, "%s: want a list of names", what)
	}
	var ps triggers.Problems
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode || item.Value == "" {
			ps = append(ps, problemsAt(path, item.Line, "%s: want a name", what)...)
		}
	}
	return ps
}

func problemsAt(path string, line int, format string, args ...any) triggers.Problems {
	return triggers.Problems{{File: path, Line: line, Severity: triggers.SeverityError, Message: fmt.Sprintf(format, args...)}}
}

var yamlLineRe = regexp.MustCompile(`line (\d+): (.*)`)

func yamlError(err error) (int, string) {
	m := yamlLineRe.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, err.Error()
	}
	line, _ := strconv.Atoi(m[1])
	return line, m[2]
}
