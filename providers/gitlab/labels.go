package gitlab

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers/scmclient"
)

// Labels reads a merge request's labels (GET .../merge_requests/{iid}).
func (p *Provider) Labels(ctx context.Context, target event.Target) ([]string, error) {
	var mr struct {
		Labels []string `json:"labels"`
	}
	_, err := scmclient.Do(ctx, p.SCM, http.MethodGet, projectPath(target.Repo, "merge_requests", target.Number), nil, &mr)
	if err != nil {
		return nil, fmt.Errorf("provider/gitlab: read labels of %s!%d: %w", target.Repo, target.Number, err)
	}
	return mr.Labels, nil
}

// AddLabel adds a label to a merge request, keeping the others: PUT
// .../merge_requests/{iid} with add_labels. GitLab creates a label the
// project does not have.
func (p *Provider) AddLabel(ctx context.Context, target event.Target, label string) error {
	return p.changeLabel(ctx, target, "add_labels", label)
}

// RemoveLabel removes a label from a merge request: PUT
// .../merge_requests/{iid} with remove_labels; a label the merge request
// does not have is left alone by GitLab.
func (p *Provider) RemoveLabel(ctx context.Context, target event.Target, label string) error {
	return p.changeLabel(ctx, target, "remove_labels", label)
}

func (p *Provider) changeLabel(ctx context.Context, target event.Target, field, label string) error {
	// GitLab reads these fields as comma-separated lists.
	if label == "" || strings.Contains(label, ",") {
		return fmt.Errorf("provider/gitlab: %s %q on %s!%d: a label may not be empty or contain a comma", field, label, target.Repo, target.Number)
	}
	path := projectPath(target.Repo, "merge_requests", target.Number)
	if _, err := scmclient.Do(ctx, p.SCM, http.MethodPut, path, map[string]string{field: label}, nil); err != nil {
		return fmt.Errorf("provider/gitlab: %s %q on %s!%d: %w", field, label, target.Repo, target.Number, err)
	}
	return nil
}
