package plugins

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
)

// StatusLabeler keeps label state as commit statuses on the pull
// request's head commit, for SCMs without labels (Bitbucket Cloud and
// Data Center). A label is a status whose context is its name: a
// do-not-merge/* label fails while set, so a branch that requires passing
// builds blocks the merge; a gate label (lgtm, approved) succeeds while
// set and fails once removed, so requiring it blocks a merge without it;
// any other label succeeds either way and only says whether it is set.
// Statuses belong to a commit: a new push starts with none. Labels cannot
// be read back, so Labels returns none.
type StatusLabeler struct {
	Reporter providers.StatusReporter
	Ref      event.CommitRef
}

var _ providers.Labeler = (*StatusLabeler)(nil)

// Labels returns nothing: statuses are not read back.
func (s *StatusLabeler) Labels(context.Context, event.Target) ([]string, error) { return nil, nil }

// AddLabel sets the label's status to its "set" state.
func (s *StatusLabeler) AddLabel(ctx context.Context, _ event.Target, label string) error {
	state := providers.StateSuccess
	if blocksMerge(label) {
		state = providers.StateFailure
	}
	return s.set(ctx, label, state, label+" is set")
}

// RemoveLabel sets the label's status to its "not set" state.
func (s *StatusLabeler) RemoveLabel(ctx context.Context, _ event.Target, label string) error {
	state := providers.StateSuccess
	if slices.Contains(GateLabels, label) {
		state = providers.StateFailure
	}
	return s.set(ctx, label, state, label+" is not set")
}

func (s *StatusLabeler) set(ctx context.Context, label string, state providers.State, desc string) error {
	if s.Ref.SHA == "" {
		return fmt.Errorf("plugins: label %s as a status: no head commit", label)
	}
	err := s.Reporter.SetStatus(ctx, s.Ref, providers.Status{State: state, Context: label, Description: desc, Combined: state})
	if err != nil {
		return fmt.Errorf("plugins: label %s as a status: %w", label, err)
	}
	return nil
}

// GateLabels are the labels a merge needs: as statuses, they fail while
// not set.
var GateLabels = []string{"lgtm", "approved"}

func blocksMerge(label string) bool { return strings.HasPrefix(label, "do-not-merge/") }
