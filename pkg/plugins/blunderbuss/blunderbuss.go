// Package blunderbuss is the blunderbuss plugin: when a pull request
// opens, it requests reviews from reviewers named in the OWNERS files of
// the changed files, as Prow's blunderbuss does.
package blunderbuss

import (
	"cmp"
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/owners"
	"github.com/fresnel-ci/fresnel/pkg/plugins"
	"github.com/fresnel-ci/fresnel/pkg/plugins/repoowners"
	"github.com/fresnel-ci/fresnel/providers"
	"github.com/fresnel-ci/fresnel/triggers"
)

// DefaultRequestCount is how many reviewers are requested when
// plugins.yaml's request_count is unset, as in Prow.
const DefaultRequestCount = 2

func init() {
	plugins.Register(plugins.Plugin{
		Name:        "blunderbuss",
		Description: "Requests reviews from OWNERS reviewers of the changed files when a pull request opens.",
		Config:      "blunderbuss",
		Commands: []plugins.Command{
			{Name: "auto-cc", Who: "anyone", ChangesState: true,
				Help: "Requests reviews from OWNERS reviewers of the changed files again.", Examples: []string{"/auto-cc"}, Run: autoCC},
		},
		OnEvent: onEvent,
	})
}

func autoCC(ctx context.Context, a *plugins.Agent, _ plugins.Invocation) (string, error) {
	did, err := request(ctx, a)
	return strings.Join(did, "; "), err
}

func onEvent(ctx context.Context, a *plugins.Agent) ([]string, error) {
	ev, cfg := a.Event, a.Config.Blunderbuss
	if ev.Kind != event.KindPullRequest || ev.Closed {
		return nil, nil
	}
	switch {
	case ev.Action == event.ActionOpened && !(cfg.IgnoreDrafts && ev.Draft):
	case ev.Action == event.ActionReadyForReview && cfg.IgnoreDrafts:
	default:
		return nil, nil
	}
	return request(ctx, a)
}

// request picks reviewers and asks the SCM to request their reviews.
func request(ctx context.Context, a *plugins.Agent) ([]string, error) {
	cfg := a.Config.Blunderbuss
	requester, ok := a.SCM.(providers.ReviewRequester)
	if !ok {
		return []string{"skipped: " + a.Event.Provider + " cannot request reviews"}, nil
	}
	ev, err := a.Complete(ctx)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(cfg.IgnoreAuthors, func(u string) bool { return strings.EqualFold(u, ev.Author) }) {
		return nil, nil
	}
	tree, files, err := ownersOf(ctx, a, ev)
	if err != nil {
		return nil, err
	}
	picked := Pick(tree, files, ev.Author, count(cfg), !cfg.ExcludeApprovers, int64(ev.Number))
	if len(picked) == 0 {
		return []string{"no OWNERS reviewers to request"}, nil
	}
	if err := requester.RequestReview(ctx, a.Target(), picked); err != nil {
		return nil, fmt.Errorf("blunderbuss: request reviews: %w", err)
	}
	return []string{"requested reviews from @" + strings.Join(picked, ", @")}, nil
}

func count(cfg triggers.BlunderbussConfig) int {
	if cfg.RequestCount == nil {
		return DefaultRequestCount
	}
	return *cfg.RequestCount
}

func ownersOf(ctx context.Context, a *plugins.Agent, ev event.Event) (*owners.Tree, []string, error) {
	lister, ok := a.SCM.(providers.ChangeLister)
	reader, ok2 := a.SCM.(repoowners.FileReader)
	if !ok || !ok2 {
		return nil, nil, fmt.Errorf("blunderbuss: %s cannot list changed files or read OWNERS files", ev.Provider)
	}
	files, err := lister.ChangedFiles(ctx, ev)
	if err != nil {
		return nil, nil, fmt.Errorf("blunderbuss: changed files: %w", err)
	}
	tree, err := repoowners.Load(ctx, reader, ev, files)
	return tree, files, err
}

// Pick chooses up to n reviewers of files, never author: those who review
// the most changed files first, ties broken by a shuffle seeded with seed
// (the pull request number, so a redelivery picks the same people). When
// reviewers are too few and withApprovers is set, approvers fill the
// rest, as in Prow unless exclude_approvers is set.
func Pick(tree *owners.Tree, files []string, author string, n int, withApprovers bool, seed int64) []string {
	picked := pickFrom(tree.Reviewers, files, author, n, seed, nil)
	if len(picked) < n && withApprovers {
		picked = pickFrom(tree.Approvers, files, author, n, seed, picked)
	}
	return picked
}

// pickFrom adds to picked, up to n, the people of whom lists for files.
func pickFrom(of func(string) []string, files []string, author string, n int, seed int64, picked []string) []string {
	weight := map[string]int{}
	for _, f := range files {
		for _, login := range of(f) {
			weight[strings.ToLower(login)]++
		}
	}
	candidates := make([]string, 0, len(weight))
	for login := range weight {
		if login != strings.ToLower(author) && !slices.Contains(picked, login) {
			candidates = append(candidates, login)
		}
	}
	slices.Sort(candidates)
	r := rand.New(rand.NewSource(seed))
	r.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	slices.SortStableFunc(candidates, func(x, y string) int { return cmp.Compare(weight[y], weight[x]) })
	for _, login := range candidates {
		if len(picked) >= n {
			break
		}
		picked = append(picked, login)
	}
	return picked
}
