package bitbucketserver

// pullRequestObjects are the fields of a pull request event go-scm
// dereferences unchecked.
var pullRequestObjects = []string{"actor", "pullRequest", "pullRequest.fromRef", "pullRequest.toRef"}

// requiredObjects are the fields, by X-Event-Key, that must be JSON
// objects before go-scm reads a body.
var requiredObjects = map[string][]string{
	"pr:opened":           pullRequestObjects,
	"pr:from_ref_updated": pullRequestObjects,
	"pr:modified":         pullRequestObjects,
	"pr:merged":           pullRequestObjects,
	"pr:declined":         pullRequestObjects,
	"pr:deleted":          pullRequestObjects,
	"repo:refs_changed":   {"actor", "repository", "changes.0"},
	"pr:comment:added":    {"pullRequest", "pullRequest.fromRef", "pullRequest.toRef", "comment", "comment.author"},
}
