// Package test holds the presubmit checks of the project's shape: the
// packages docs/architecture.md lists, the READMEs of providers and
// plugins, and the metrics docs/operations.md names.
package test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	_ "github.com/fresnel-ci/fresnel/pkg/metrics" // registers fresnel's metrics
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	_ "github.com/fresnel-ci/fresnel/pkg/plugins/all" // registers every built-in plugin
	"github.com/fresnel-ci/fresnel/providers"
	_ "github.com/fresnel-ci/fresnel/providers/all" // registers every provider kind
)

// root is the module's root, seen from this package.
const root = ".."

// goPackages lists the module's folders holding non-test Go files;
// folders of tests alone (test/e2e/, test/bench/, this one) are left out.
func goPackages(t *testing.T) []string {
	t.Helper()
	var pkgs []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && p != root && (name == "testdata" || strings.HasPrefix(name, ".") || name == "bin") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			rel, _ := filepath.Rel(root, filepath.Dir(p))
			pkgs = append(pkgs, filepath.ToSlash(rel)+"/")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(pkgs)
	return slices.Compact(pkgs)
}

// listedFolders reads the folders of the code block under "## Packages"
// in docs/architecture.md: the leading words of each line that end in
// "/"; an indented line's folders are inside the last unindented one.
func listedFolders(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "## Packages\n")
	_, block, opened := strings.Cut(section, "```\n")
	block, _, closed := strings.Cut(block, "```")
	if !ok || !opened || !closed {
		t.Fatal("docs/architecture.md: no code block under ## Packages")
	}
	var folders []string
	parent := ""
	for _, line := range strings.Split(block, "\n") {
		indented := strings.HasPrefix(line, " ")
		for _, word := range strings.Fields(line) {
			if !strings.HasSuffix(word, "/") {
				break
			}
			if indented {
				folders = append(folders, parent+word)
				continue
			}
			folders, parent = append(folders, word), word
		}
	}
	return folders
}

// covers says whether a listed folder names pkg; "<name>" in a listed
// folder stands for any one folder name.
func covers(listed, pkg string) bool {
	pattern := regexp.QuoteMeta(listed)
	pattern = regexp.MustCompile(`<[a-z]+>`).ReplaceAllString(pattern, `[^/]+`)
	return regexp.MustCompile("^" + pattern + "$").MatchString(pkg)
}

// TestArchitectureListsEveryPackage keeps docs/architecture.md's package
// list true: every folder it names exists, and every package of the
// module is named.
func TestArchitectureListsEveryPackage(t *testing.T) {
	listed := listedFolders(t)
	if len(listed) < 10 {
		t.Fatalf("read only %d folders from docs/architecture.md: %q", len(listed), listed)
	}
	for _, folder := range listed {
		matches, _ := filepath.Glob(filepath.Join(root, regexp.MustCompile(`<[a-z]+>`).ReplaceAllString(folder, "*")))
		if len(matches) == 0 {
			t.Errorf("docs/architecture.md lists %s, which does not exist", folder)
		}
	}
	for _, pkg := range goPackages(t) {
		if slices.ContainsFunc(listed, func(l string) bool { return covers(l, pkg) }) {
			continue
		}
		t.Errorf("package %s is not listed in docs/architecture.md", pkg)
	}
}

// TestProvidersAndPluginsHaveREADMEs checks every registered provider
// kind and every registered plugin has its folder with a README.md.
func TestProvidersAndPluginsHaveREADMEs(t *testing.T) {
	var folders []string
	for _, kind := range providers.Kinds() {
		folders = append(folders, path.Join("providers", kind))
	}
	for _, name := range plugins.Names() {
		folders = append(folders, path.Join("pkg", "plugins", name))
	}
	if len(folders) < 6 {
		t.Fatalf("only %d providers and plugins registered: %q", len(folders), folders)
	}
	for _, folder := range folders {
		if _, err := os.Stat(filepath.Join(root, folder, "README.md")); err != nil {
			t.Errorf("%s has no README.md: %v", folder, err)
		}
	}
}

// definedMetrics reads the names of the metrics pkg/metrics defines: the
// Name fields of its *Opts literals.
func definedMetrics(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	dir := filepath.Join(root, "pkg", "metrics")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, nameFields(f)...)
	}
	return names
}

// nameFields returns the string values of every `Name: "..."` field.
func nameFields(f *ast.File) []string {
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		kv, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		key, ok := kv.Key.(*ast.Ident)
		lit, isLit := kv.Value.(*ast.BasicLit)
		if ok && isLit && key.Name == "Name" && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil {
				names = append(names, s)
			}
		}
		return true
	})
	return names
}

// registered says whether the default registry holds a metric of that
// name: registering a new one of the same name is then refused.
func registered(name string) bool {
	probe := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: "probe of the shape test"})
	err := prometheus.Register(probe)
	if err == nil {
		prometheus.Unregister(probe)
		return false
	}
	var dup prometheus.AlreadyRegisteredError
	return errors.As(err, &dup) || strings.Contains(err.Error(), "previously registered")
}

// TestOperationsNamesEveryMetric checks docs/operations.md names every
// fresnel_* metric pkg/metrics registers, and nothing else by that prefix.
func TestOperationsNamesEveryMetric(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := regexp.MustCompile("`(fresnel_[a-z0-9_]+)`").FindAllStringSubmatch(string(b), -1)
	if len(documented) == 0 {
		t.Fatal("docs/operations.md names no fresnel_ metric")
	}
	if registered("fresnel_shape_test_never_registered_total") {
		t.Fatal("the registry probe finds a metric nobody registered")
	}
	var named []string
	for _, m := range documented {
		named = append(named, m[1])
		if !registered(m[1]) {
			t.Errorf("docs/operations.md names %s, which is not registered", m[1])
		}
	}
	defined := definedMetrics(t)
	if len(defined) == 0 {
		t.Fatal("found no metric definitions in pkg/metrics")
	}
	for _, name := range defined {
		if !registered(name) {
			t.Errorf("pkg/metrics defines %s but it is not registered", name)
		}
		if strings.HasPrefix(name, "fresnel_") && !slices.Contains(named, name) {
			t.Errorf("metric %s is not named in docs/operations.md", name)
		}
	}
}
