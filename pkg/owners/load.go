package owners

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// ErrNotFound is what a Reader's error wraps when a file does not exist.
var ErrNotFound = errors.New("owners: file not found")

// Reader reads files of one commit of a repository, as an SCM's contents
// API does.
type Reader interface {
	// ReadFile returns the content of the file at path (slash-separated,
	// relative to the repository root). A file that does not exist is an
	// error wrapping ErrNotFound; any other error ends the load.
	ReadFile(ctx context.Context, path string) ([]byte, error)
}

// DefaultCacheSize is how many commits a Loader remembers by default.
const DefaultCacheSize = 64

// LoaderOptions configure a Loader.
type LoaderOptions struct {
	// Denylist names directories whose OWNERS files are not read; nil
	// means Prow's preconfigured one (DefaultDenylist).
	Denylist *Denylist
	// CacheSize bounds the commits remembered; 0 means DefaultCacheSize.
	CacheSize int
}

// Loader loads the OWNERS files a change needs through a Reader, reading
// each OWNERS file of a commit at most once while the commit stays among
// the CacheSize most recently used. It is safe for concurrent use.
type Loader struct {
	deny    *Denylist
	size    int
	mu      sync.Mutex
	commits map[string]*commitCache
	recent  []string // least recently used first
}

// NewLoader makes a Loader.
func NewLoader(opts LoaderOptions) *Loader {
	l := &Loader{deny: opts.Denylist, size: opts.CacheSize, commits: map[string]*commitCache{}}
	if l.deny == nil {
		l.deny = DefaultDenylist()
	}
	if l.size <= 0 {
		l.size = DefaultCacheSize
	}
	return l
}

// commitCache is what has been read of one commit.
type commitCache struct {
	mu          sync.Mutex
	aliasesRead bool
	aliases     aliasMap
	aliasesErr  error
	dirs        map[string]dirResult
}

// dirResult is one directory's OWNERS file: absent (cfg and err nil),
// read, or malformed.
type dirResult struct {
	cfg   *dirConfig
	warns []Problem
	err   *MalformedError
}

// Load returns the OWNERS files that decide files at commit (its SHA): for
// each file, those of its directory and of each parent up to the root, or
// up to an OWNERS file with no_parent_owners once an approver of the file
// has been found, and OWNERS_ALIASES. The Tree answers only for files.
func (l *Loader) Load(ctx context.Context, r Reader, commit string, files []string) (*Tree, error) {
	if commit == "" || r == nil {
		return nil, errors.New("owners: load: no commit or no reader")
	}
	if err := validatePaths(files); err != nil {
		return nil, err
	}
	c := l.commit(commit)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.readAliases(ctx, r); err != nil {
		return nil, err
	}
	b := &treeBuilder{tree: &Tree{dirs: map[string]*dirConfig{}}, seen: set{}}
	for _, f := range files {
		if err := l.loadChain(ctx, r, c, b, f); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// commit returns the cache of commit, the most recently used from now on.
func (l *Loader) commit(commit string) *commitCache {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.commits[commit]
	if ok {
		l.recent = slices.DeleteFunc(l.recent, func(s string) bool { return s == commit })
	} else {
		c = &commitCache{dirs: map[string]dirResult{}}
		l.commits[commit] = c
	}
	l.recent = append(l.recent, commit)
	for len(l.recent) > l.size {
		delete(l.commits, l.recent[0])
		l.recent = l.recent[1:]
	}
	return c
}

// loadChain reads the OWNERS files from file's directory up.
func (l *Loader) loadChain(ctx context.Context, r Reader, c *commitCache, b *treeBuilder, file string) error {
	found := false
	for d := parentDir(file); ; d = parentDir(d) {
		var cfg *dirConfig
		if !l.deny.Ignored(d) {
			res, err := c.readDir(ctx, r, d)
			if err != nil {
				return err
			}
			b.add(d, res)
			cfg = res.cfg
		}
		found = found || namesApprover(cfg, relativeTo(d, file))
		if d == "" || (found && cfg != nil && cfg.options.NoParentOwners) {
			return nil
		}
	}
}

// namesApprover says whether cfg gives rel at least one approver.
func namesApprover(cfg *dirConfig, rel string) bool {
	if cfg == nil {
		return false
	}
	for _, r := range cfg.rules {
		if r.matches(rel) && len(r.approvers) > 0 {
			return true
		}
	}
	return false
}

func (c *commitCache) readAliases(ctx context.Context, r Reader) error {
	if !c.aliasesRead {
		data, err := r.ReadFile(ctx, AliasesFile)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return fmt.Errorf("owners: read %s: %w", AliasesFile, err)
		default:
			c.aliases, c.aliasesErr = parseAliases(AliasesFile, data)
		}
		c.aliasesRead = true
	}
	return c.aliasesErr
}

func (c *commitCache) readDir(ctx context.Context, r Reader, dir string) (dirResult, error) {
	if res, ok := c.dirs[dir]; ok {
		return res, nil
	}
	name := ownersPath(dir)
	data, err := r.ReadFile(ctx, name)
	var res dirResult
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return dirResult{}, fmt.Errorf("owners: read %s: %w", name, err)
	default:
		var perr error
		res.cfg, res.warns, perr = parseOwners(name, data, c.aliases)
		errors.As(perr, &res.err)
	}
	c.dirs[dir] = res
	return res, nil
}

// treeBuilder gathers the directories of one Load.
type treeBuilder struct {
	tree      *Tree
	seen      set
	malformed []Problem
}

func (b *treeBuilder) add(dir string, res dirResult) {
	if b.seen.has(dir) {
		return
	}
	b.seen.add(dir)
	if res.err != nil {
		b.malformed = append(b.malformed, res.err.Problems...)
	}
	if res.cfg != nil {
		b.tree.dirs[dir] = res.cfg
		b.tree.Warnings = append(b.tree.Warnings, res.warns...)
	}
}

func (b *treeBuilder) finish() (*Tree, error) {
	if len(b.malformed) > 0 {
		slices.SortFunc(b.malformed, compareProblems)
		return nil, &MalformedError{Problems: b.malformed}
	}
	slices.SortFunc(b.tree.Warnings, compareProblems)
	return b.tree, nil
}
