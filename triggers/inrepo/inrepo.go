// Package inrepo reads the jobs a repository keeps in itself: Prow's
// .prow.yaml or .prow/ directory and Lighthouse's
// .lighthouse/*/triggers.yaml with the PipelineRun files they name. It
// reads them through the SCM's contents API at the commit under test, no
// clone, checks them with the triggers loader, and caches them by commit.
package inrepo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/fresnel-ci/fresnel/triggers"
)

// DefaultCacheSize is how many commits' jobs a Loader keeps by default.
const DefaultCacheSize = 1000

// Commit names the commit whose files are read.
type Commit struct {
	// Instance is the provider instance (kind/name) the repository is on.
	Instance string
	// Repo is the repository's full name.
	Repo string
	SHA  string
}

func (c Commit) key() string { return c.Instance + "\x00" + c.Repo + "\x00" + c.SHA }

// Loader reads in-repo jobs and keeps the latest commits' in memory.
type Loader struct {
	cache *cache
}

// NewLoader returns a Loader that keeps the jobs of at most size commits.
func NewLoader(size int) *Loader { return &Loader{cache: newCache(size)} }

// Cached is how many commits' jobs the Loader keeps now.
func (l *Loader) Cached() int { return l.cache.len() }

// Load returns the in-repo jobs of commit c, read through files, as a
// Config that holds them under c.Repo. A file that cannot be used is left
// out, and the error names it and each of its problems; when the files
// cannot be read at all, the Config is nil. A commit's files never change,
// so each commit is read once; only failures to read are tried again.
func (l *Loader) Load(ctx context.Context, files Files, c Commit) (*triggers.Config, error) {
	res := l.cache.get(ctx, c.key(), func() result {
		cfg, err := load(ctx, &reader{files: files, commit: c})
		return result{cfg: cfg, err: err, notKept: errors.Is(err, errRead)}
	})
	return res.cfg, res.err
}

// errRead marks a failure to read the files, as opposed to a problem with
// what they hold.
var errRead = errors.New("cannot read the repository's files")

// Files reads a repository's files at a commit, through the SCM's API
// (a provider's ContentReader). Both methods return an error matching
// fs.ErrNotExist when path does not exist at ref.
type Files interface {
	// ReadFile returns the content of the file at path.
	ReadFile(ctx context.Context, repo, path, ref string) ([]byte, error)
	// ListDir returns the names of the entries directly in the directory
	// at path, each subdirectory's name ending in "/".
	ListDir(ctx context.Context, repo, path, ref string) ([]string, error)
}

// reader reads one commit's files.
type reader struct {
	files  Files
	commit Commit
}

// read returns a file's content; found is false when it does not exist.
func (r *reader) read(ctx context.Context, file string) (data []byte, found bool, err error) {
	data, err = r.files.ReadFile(ctx, r.commit.Repo, file, r.commit.SHA)
	return data, err == nil, r.failure(err)
}

// list returns a directory's entries; found is false when it does not exist.
func (r *reader) list(ctx context.Context, dir string) (names []string, found bool, err error) {
	names, err = r.files.ListDir(ctx, r.commit.Repo, dir, r.commit.SHA)
	sort.Strings(names)
	return names, err == nil, r.failure(err)
}

func (r *reader) failure(err error) error {
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("%w: %w", errRead, err)
}

// load reads every in-repo file of a commit and merges their jobs.
func load(ctx context.Context, r *reader) (*triggers.Config, error) {
	prow, err := prowFiles(ctx, r)
	if err != nil {
		return nil, err
	}
	lighthouse, err := lighthouseFiles(ctx, r)
	if err != nil {
		return nil, err
	}
	out := emptyConfig()
	var problems []error
	for _, f := range append(prow, lighthouse...) {
		cfg, err := f.parse(ctx, r)
		if errors.Is(err, errRead) {
			return nil, err
		}
		problems = append(problems, err)
		if cfg != nil {
			problems = append(problems, addAll(out, cfg, r.commit.Repo, firstAt)...)
			out.Warnings = append(out.Warnings, cfg.Warnings...)
		}
	}
	return out, errors.Join(problems...)
}

// inRepoFile is one file to read and how to read it.
type inRepoFile struct {
	path       string
	lighthouse bool
}

func (f inRepoFile) parse(ctx context.Context, r *reader) (*triggers.Config, error) {
	data, found, err := r.read(ctx, f.path)
	if err != nil || !found {
		return nil, err
	}
	if f.lighthouse {
		return parseLighthouse(ctx, r, data, f.path, r.commit.Repo)
	}
	return parseProw(data, f.path, r.commit.Repo)
}

// prowFiles lists every YAML file under .prow/, or else .prow.yaml.
func prowFiles(ctx context.Context, r *reader) ([]inRepoFile, error) {
	files, found, err := yamlFilesUnder(ctx, r, prowDir)
	if err != nil || found {
		return files, err
	}
	return []inRepoFile{{path: prowFile}}, nil
}

// yamlFilesUnder lists the *.yaml and *.yml files under dir, recursively.
func yamlFilesUnder(ctx context.Context, r *reader, dir string) ([]inRepoFile, bool, error) {
	names, found, err := r.list(ctx, dir)
	if err != nil || !found {
		return nil, found, err
	}
	var files []inRepoFile
	for _, name := range names {
		p := path.Join(dir, name)
		if strings.HasSuffix(name, "/") {
			sub, _, err := yamlFilesUnder(ctx, r, p)
			if err != nil {
				return nil, true, err
			}
			files = append(files, sub...)
			continue
		}
		if ext := path.Ext(name); ext == ".yaml" || ext == ".yml" {
			files = append(files, inRepoFile{path: p})
		}
	}
	return files, true, nil
}

// lighthouseFiles lists .lighthouse/triggers.yaml and the triggers.yaml of
// each directory in .lighthouse/ not starting with a dot; one that does
// not exist is skipped when read.
func lighthouseFiles(ctx context.Context, r *reader) ([]inRepoFile, error) {
	names, _, err := r.list(ctx, lighthouseDir)
	var files []inRepoFile
	for _, name := range names {
		dir, isDir := strings.CutSuffix(name, "/")
		switch {
		case isDir && !strings.HasPrefix(dir, "."):
			files = append(files, inRepoFile{path: path.Join(lighthouseDir, dir, lighthouseTriggers), lighthouse: true})
		case name == lighthouseTriggers:
			files = append(files, inRepoFile{path: path.Join(lighthouseDir, name), lighthouse: true})
		}
	}
	return files, err
}
