package e2e

import (
	"strings"
	"testing"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// changedFiles are what the pull requests of these tests change: docs/
// makes the docs job run.
var changedFiles = []string{"docs/guide.md", "main.go"}

// TestGitLabMergeRequestRunsAndReportsOnce drives GitLab end to end, for a
// project in a nested group: statuses go to the project's escaped path,
// pending is sent as running.
func TestGitLabMergeRequestRunsAndReportsOnce(t *testing.T) {
	runProviderFlow(t, newNamespace(t), gitlabFlow("main", "platform/team/tools", changedFiles))
}

// gitlabFlow is merge request 7 of project on a GitLab instance.
func gitlabFlow(instance, project string, files []string) providerFlow {
	fake := harness.NewFakeGitLab()
	fake.GitLabMergeRequest(project, 7, headSHA, "feature", "main", files)
	in := scmInstance{kind: "gitlab", name: instance, secret: []byte("e2e-gitlab-" + instance), fake: fake}
	opened := harness.GitLabMergeRequestEvent("open", project, 7, headSHA, "feature", "main")
	note := harness.GitLabMergeRequestNote(project, 7, headSHA, "feature", "main", "bob", "Looks good.\n/test manual")
	path := harness.HookPath("gitlab", instance)
	i := strings.LastIndex(project, "/")
	return providerFlow{
		instance: in, owner: project[:i], name: project[i+1:], number: 7, sha: headSHA,
		opened: delivery{path, harness.GitLabHeader("Merge Request Hook", "gitlab-mr-7", in.secret), opened},
		// GitLab resends with the same Idempotency-Key, a new X-Gitlab-Event-UUID.
		redelivered: delivery{path, harness.GitLabHeader("Merge Request Hook", "gitlab-mr-7", in.secret), opened},
		comment:     delivery{path, harness.GitLabHeader("Note Hook", "gitlab-note-7", in.secret), note},
		forged:      delivery{path, harness.GitLabHeader("Merge Request Hook", "gitlab-forged", []byte("wrong")), opened},
		reported:    func() []reported { return gitlabReported(fake) },
		where:       project, pending: "running", success: "success", failure: "failed",
	}
}

func gitlabReported(fake *harness.FakeSCM) []reported {
	var out []reported
	for _, s := range fake.GitLabStatuses() {
		out = append(out, reported{Where: s.Project, SHA: s.SHA, Context: s.Name, State: s.State})
	}
	return out
}
