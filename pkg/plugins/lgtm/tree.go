package lgtm

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/providers"
)

// With store_tree_hash, /lgtm records the tree of the head commit in a
// comment; a later push whose head has the same tree (a rebase, a squash,
// a new commit message) keeps the lgtm. The comment's marker is how the
// record is found again.
const treeMarkerPrefix = "<!-- fresnel:lgtm-tree "

// treeMarker finds the tree hash in a record: 40 hex digits (SHA-1) or 64
// (SHA-256 repositories).
var treeMarker = regexp.MustCompile(regexp.QuoteMeta(treeMarkerPrefix) + `([0-9a-f]{40}|[0-9a-f]{64}) -->`)

// treeRoles are the roles store_tree_hash needs: reading a commit's tree
// and listing the comments the record is kept in.
type treeRoles struct {
	trees    providers.TreeReader
	comments providers.CommentEditor
}

// treeStore returns the roles when store_tree_hash is set for the
// repository and the SCM has both; otherwise a push removes the lgtm as
// it always does.
func treeStore(a *plugins.Agent) (treeRoles, bool) {
	if s, _ := settings(a); !s.StoreTreeHash {
		return treeRoles{}, false
	}
	trees, ok := a.SCM.(providers.TreeReader)
	comments, ok2 := a.SCM.(providers.CommentEditor)
	return treeRoles{trees: trees, comments: comments}, ok && ok2
}

// treeRecord is the comment /lgtm leaves with store_tree_hash.
func treeRecord(tree string) string {
	return fmt.Sprintf("The lgtm label has been added.\n\nGit tree hash: `%s` (a push that keeps this tree keeps the lgtm).\n%s%s -->", tree, treeMarkerPrefix, tree)
}

// recordTree reads the tree of the pull request's head commit and leaves
// it in a comment.
func recordTree(ctx context.Context, a *plugins.Agent, r treeRoles) error {
	ev, err := a.Complete(ctx)
	if err != nil {
		return err
	}
	tree, err := r.trees.TreeHash(ctx, ev.Repo.FullName, ev.HeadSHA)
	if err != nil {
		return fmt.Errorf("lgtm: tree of %s: %w", ev.HeadSHA, err)
	}
	if err := a.Comment(ctx, treeRecord(tree)); err != nil {
		return fmt.Errorf("lgtm: record tree hash: %w", err)
	}
	return nil
}

// treeUnchanged reports whether the pushed head has the tree the newest
// record names. No record means the tree is taken as changed.
func treeUnchanged(ctx context.Context, a *plugins.Agent, r treeRoles) (bool, error) {
	comments, err := r.comments.ListComments(ctx, a.Target())
	if err != nil {
		return false, fmt.Errorf("lgtm: comments of %s#%d: %w", a.Event.Repo.FullName, a.Event.Number, err)
	}
	recorded, err := lastRecord(ctx, a, comments)
	if err != nil || recorded == "" {
		return false, err
	}
	tree, err := r.trees.TreeHash(ctx, a.Event.Repo.FullName, a.Event.HeadSHA)
	if err != nil {
		return false, fmt.Errorf("lgtm: tree of %s: %w", a.Event.HeadSHA, err)
	}
	return tree == recorded, nil
}

// lastRecord returns the tree hash of the newest record written by
// someone who could have given the lgtm: trusted, and not the author of
// the pull request. Anyone else could write a record naming the tree of
// a commit they are about to push.
func lastRecord(ctx context.Context, a *plugins.Agent, comments []event.Comment) (string, error) {
	checked := map[string]bool{}
	for _, c := range slices.Backward(comments) {
		m := treeMarker.FindStringSubmatch(c.Body)
		if m == nil || c.Author == "" || strings.EqualFold(c.Author, a.Event.Author) {
			continue
		}
		trusted, seen := checked[c.Author]
		if !seen {
			var err error
			if trusted, err = a.IsTrusted(ctx, c.Author); err != nil {
				return "", err
			}
			checked[c.Author] = trusted
		}
		if trusted {
			return m[1], nil
		}
	}
	return "", nil
}
