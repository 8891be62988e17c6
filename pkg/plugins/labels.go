package plugins

import (
	"context"
	"fmt"
	"slices"
)

// CurrentLabels returns the pull request's labels and whether they could
// be known: SCMs that keep labels as statuses cannot read them back.
func (a *Agent) CurrentLabels(ctx context.Context) ([]string, bool, error) {
	l, err := a.Labeler(ctx)
	if err != nil {
		return nil, false, err
	}
	if _, asStatus := l.(*StatusLabeler); asStatus {
		return nil, false, nil
	}
	labels, err := l.Labels(ctx, a.Target())
	if err != nil {
		return nil, false, fmt.Errorf("plugins: labels of %s#%d: %w", a.Event.Repo.FullName, a.Event.Number, err)
	}
	return labels, true, nil
}

// SetLabel adds label when want is true and removes it otherwise,
// touching the SCM only when that changes something it can tell. It
// reports whether it called the SCM.
func (a *Agent) SetLabel(ctx context.Context, label string, want bool) (bool, error) {
	labels, known, err := a.CurrentLabels(ctx)
	if err != nil {
		return false, err
	}
	if known && slices.Contains(labels, label) == want {
		return false, nil
	}
	l, err := a.Labeler(ctx)
	if err != nil {
		return false, err
	}
	verb, change := "add", l.AddLabel
	if !want {
		verb, change = "remove", l.RemoveLabel
	}
	if err := change(ctx, a.Target(), label); err != nil {
		return false, fmt.Errorf("plugins: %s label %s on %s#%d: %w", verb, label, a.Event.Repo.FullName, a.Event.Number, err)
	}
	return true, nil
}
