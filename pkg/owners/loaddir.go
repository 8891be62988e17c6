package owners

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// LoadDir reads every OWNERS file of the repository checked out at root,
// and its OWNERS_ALIASES, skipping the directories deny names (nil: none).
// Symbolic links are not followed, as Prow follows none. Files that cannot
// be read at all make a *MalformedError naming each with its line.
func LoadDir(root string, deny *Denylist) (*Tree, error) {
	aliases, err := loadDirAliases(root)
	if err != nil {
		return nil, err
	}
	l := &dirLoader{root: root, deny: deny, aliases: aliases, tree: &Tree{dirs: map[string]*dirConfig{}}}
	if err := filepath.WalkDir(root, l.visit); err != nil {
		return nil, fmt.Errorf("owners: %s: %w", root, err)
	}
	if len(l.malformed) > 0 {
		slices.SortFunc(l.malformed, compareProblems)
		return nil, &MalformedError{Problems: l.malformed}
	}
	slices.SortFunc(l.tree.Warnings, compareProblems)
	return l.tree, nil
}

func loadDirAliases(root string) (aliasMap, error) {
	data, err := os.ReadFile(filepath.Join(root, AliasesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("owners: %w", err)
	}
	return parseAliases(AliasesFile, data)
}

type dirLoader struct {
	root      string
	deny      *Denylist
	aliases   aliasMap
	tree      *Tree
	malformed []Problem
}

func (l *dirLoader) visit(p string, d fs.DirEntry, err error) error {
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(l.root, p)
	if err != nil {
		return err
	}
	rel = filepath.ToSlash(rel)
	if d.IsDir() {
		if rel != "." && l.deny.matches(rel) {
			return filepath.SkipDir
		}
		return nil
	}
	if d.Name() != OwnersFile || !d.Type().IsRegular() {
		return nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	l.add(rel, data)
	return nil
}

// add parses the OWNERS file at rel into the tree.
func (l *dirLoader) add(rel string, data []byte) {
	cfg, warns, err := parseOwners(rel, data, l.aliases)
	var bad *MalformedError
	if errors.As(err, &bad) {
		l.malformed = append(l.malformed, bad.Problems...)
		return
	}
	l.tree.Warnings = append(l.tree.Warnings, warns...)
	l.tree.dirs[parentDir(rel)] = cfg
}

func compareProblems(a, b Problem) int {
	if a.File != b.File {
		if a.File < b.File {
			return -1
		}
		return 1
	}
	return a.Line - b.Line
}
