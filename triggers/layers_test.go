package triggers

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsOnlyTheEventModel keeps job selection SCM-neutral, as
// DESIGN.md's layers say: triggers/ and its packages import nothing of
// fresnel's but pkg/event and themselves. What they need from an SCM (a
// file reader) they declare where they use it.
func TestImportsOnlyTheEventModel(t *testing.T) {
	const module = "github.com/fresnel-ci/fresnel/"
	allowed := func(path string) bool {
		rel := strings.TrimPrefix(path, module)
		return rel == "pkg/event" || rel == "triggers" || strings.HasPrefix(rel, "triggers/")
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, module) && !allowed(p) {
				t.Errorf("%s imports %s: triggers/ may import only pkg/event", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
