// Package repoowners reads the OWNERS files a pull request's changed files
// answer to, at the pull request's base commit, through the SCM's
// contents API, for the plugins that decide by them (approve,
// blunderbuss). Each file is read once per base commit, whichever plugin
// asks first.
package repoowners

import (
	"context"
	"errors"
	"fmt"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/owners"
	"github.com/fresnel-ci/fresnel/providers"
)

// loader is shared by every plugin, so approve and blunderbuss read a
// commit's OWNERS files once between them.
var loader = owners.NewLoader(owners.LoaderOptions{})

// FileReader reads a file of a repository at a commit: what
// providers.ContentReader offers, and all that Gerrit, which cannot list
// directories, offers.
type FileReader interface {
	ReadFile(ctx context.Context, repo, path, ref string) ([]byte, error)
}

// Load returns the OWNERS files that decide files, read at ev's base
// commit (cached by instance, repository and commit). Without a base
// commit (an SCM that does not say) the base branch is read, uncached,
// since a branch moves.
func Load(ctx context.Context, r FileReader, ev event.Event, files []string) (*owners.Tree, error) {
	at := contentAt{reader: r, repo: ev.Repo.FullName, ref: ev.BaseSHA}
	l, key := loader, ev.Instance+"/"+ev.Repo.FullName+"@"+ev.BaseSHA
	if ev.BaseSHA == "" {
		at.ref, l, key = ev.BaseRef, owners.NewLoader(owners.LoaderOptions{CacheSize: 1}), ev.BaseRef
	}
	if at.ref == "" {
		return nil, errors.New("repoowners: the pull request's base is not known")
	}
	tree, err := l.Load(ctx, at, key, files)
	if err != nil {
		return nil, fmt.Errorf("repoowners: %w", err)
	}
	return tree, nil
}

// contentAt reads one commit of one repository for the owners loader.
type contentAt struct {
	reader    FileReader
	repo, ref string
}

func (c contentAt) ReadFile(ctx context.Context, path string) ([]byte, error) {
	data, err := c.reader.ReadFile(ctx, c.repo, path, c.ref)
	if errors.Is(err, providers.ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", owners.ErrNotFound, err)
	}
	return data, err
}
