package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/providers"
	_ "github.com/fresnel-ci/fresnel/providers/all" // registers every provider kind
	"github.com/fresnel-ci/fresnel/triggers"
)

const explainUsage = `usage: fresnel explain --config FILE [--job-config DIR] [--plugins FILE]
         --provider KIND --event NAME --payload FILE
         [--changed-files FILE] [--pull-request FILE] [--statuses FILE]

Prints, as JSON, which jobs the webhook payload would run and why each
other job of its repository would not:
  {"runs":[{"job","type","context"}],"skipped":[{"job","reason"}],"reply":"..."}
where reply, when present, is the comment fresnel would post in answer
(the list of /test commands, say).
Nothing is sent anywhere: no SCM API is called, no PipelineRun is created.

  --config FILE         Prow's (or Lighthouse's) config.yaml
  --job-config DIR      a job-config directory, read recursively
  --plugins FILE        plugins.yaml (checked; a repo without the trigger plugin runs nothing;
                        selection reads the trigger plugin's skip_draft_pr)
  --provider KIND       github (default), gitlab, bitbucketcloud, bitbucketserver, gerrit
  --event NAME          the event as the SCM names it in its event header:
                        GitHub pull_request, issue_comment, push; GitLab
                        "Merge Request Hook", "Note Hook", "Push Hook";
                        Bitbucket pullrequest:created, pr:opened, ...
                        (Gerrit reads it from the payload)
  --payload FILE        the webhook body
  --changed-files FILE  the files the pull request changes (for a push: that
                        its commits touch), one path per line
  --pull-request FILE   for a comment: the pull request as GitHub's API
                        returns it (GET /repos/OWNER/REPO/pulls/N), for its
                        base branch, head SHA, draft, state and mergeable
  --statuses FILE       for /retest: the head commit's combined status as
                        GitHub's API returns it (GET .../commits/SHA/status);
                        without it no job has reported on the head commit
  --show-runs           add "pipelineRuns": the PipelineRuns the service would
                        create for the jobs that run, built by its own code
  --settings FILE       with --show-runs: fresnel.yaml, for the namespace and
                        decoration.cloneImage
  --namespace NS        with --show-runs: the namespace (default: the
                        settings', else "default")
  --instance NAME       with --show-runs: the provider instance (default: the
                        settings' first of --provider) and the delivery id
  --delivery ID         the webhook would carry: run names are the
                        service's when both are the delivery's

Comments are read as Prow's trigger reads them, with the author trusted:
without --statuses, /retest runs what an update of the pull request would.
Exit status: 0 with the answer (an ignored event skips every job with the
reason), 2 on bad input.
`

// explainOptions are the flags of explain.
type explainOptions struct {
	config, jobConfig, plugins    string
	provider, event, payload      string
	changedFiles, pullRequestFile string
	runs                          showRunsOptions
	statuses                      string
}

// Explanation is what explain prints.
type Explanation struct {
	Runs    []Run           `json:"runs"`
	Skipped []triggers.Skip `json:"skipped"`
	// PipelineRuns are the runs the service would create (--show-runs).
	PipelineRuns []*pipelinev1.PipelineRun `json:"pipelineRuns,omitempty"`
	// Reply is the comment fresnel would post in answer, if any.
	Reply string `json:"reply,omitempty"`
}

// Run is a job the event runs.
type Run struct {
	Job     string           `json:"job"`
	Type    triggers.JobType `json:"type"`
	Context string           `json:"context"`
}

// Explain runs "fresnel explain".
func Explain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("explain", explainUsage, stdout, stderr)
	var o explainOptions
	c.flags.StringVar(&o.config, "config", "", "")
	c.flags.StringVar(&o.jobConfig, "job-config", "", "")
	c.flags.StringVar(&o.plugins, "plugins", "", "")
	c.flags.StringVar(&o.provider, "provider", "github", "")
	c.flags.StringVar(&o.event, "event", "", "")
	c.flags.StringVar(&o.payload, "payload", "", "")
	c.flags.StringVar(&o.changedFiles, "changed-files", "", "")
	c.flags.StringVar(&o.pullRequestFile, "pull-request", "", "")
	c.flags.BoolVar(&o.runs.show, "show-runs", false, "")
	c.flags.StringVar(&o.runs.settings, "settings", "", "")
	c.flags.StringVar(&o.runs.namespace, "namespace", "", "")
	c.flags.StringVar(&o.runs.instance, "instance", "", "")
	c.flags.StringVar(&o.runs.delivery, "delivery", "", "")
	c.flags.StringVar(&o.statuses, "statuses", "", "")
	if err := c.parse(args); err != nil {
		return err
	}
	required := map[string]string{"config": o.config, "provider": o.provider, "event": o.event, "payload": o.payload}
	if err := c.require(required); err != nil {
		return err
	}
	out, err := explain(ctx, o)
	if err != nil {
		return c.fail(ExitBadInput, err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// explain selects jobs for the payload with the service's own code.
func explain(ctx context.Context, o explainOptions) (Explanation, error) {
	cfg, err := loadConfig(o)
	if err != nil {
		return Explanation{}, err
	}
	ev, err := parsePayload(ctx, o.provider, o.event, o.payload)
	var ignored providers.Ignored
	if errors.As(err, &ignored) {
		return ignoredExplanation(cfg, ev, ignored), nil
	}
	if err != nil {
		return Explanation{}, err
	}
	if ok, why := cfg.Plugins.TriggerEnabled(ev.Repo.FullName); !ok {
		return skipConcerned(cfg, ev, why), nil
	}
	ev, in, err := offlineInputs(cfg, ev, o)
	if err != nil {
		return Explanation{}, err
	}
	sel, err := cfg.Select(ev, in)
	if err != nil {
		return Explanation{}, err
	}
	out := explanationOf(sel)
	out.PipelineRuns, err = o.runs.pipelineRuns(sel.Runs, ev)
	return out, err
}

func loadConfig(o explainOptions) (*triggers.Config, error) {
	cfg, err := triggers.Load(o.config, o.jobConfig)
	if err != nil {
		return nil, err
	}
	if o.plugins != "" {
		plugins, problems := loadPlugins(o.plugins)
		if err := problems.Err(); err != nil {
			return nil, err
		}
		cfg.Plugins = plugins
	}
	return cfg, nil
}

func explanationOf(sel triggers.Selection) Explanation {
	out := Explanation{Runs: []Run{}, Skipped: []triggers.Skip{}, Reply: sel.Reply}
	for _, j := range sel.Runs {
		out.Runs = append(out.Runs, Run{Job: j.Name, Type: j.Type, Context: j.ContextName()})
	}
	out.Skipped = append(out.Skipped, sel.Skipped...)
	return out
}

// ignoredExplanation skips every job the event could have concerned: the
// presubmits of its repository for a pull request or a comment, the
// postsubmits for a push; both, or those of every repository, when the
// event says less.
func ignoredExplanation(cfg *triggers.Config, ev event.Event, ignored providers.Ignored) Explanation {
	return skipConcerned(cfg, ev, "the event is ignored: "+ignored.Reason)
}

// skipConcerned skips every job the event could have concerned, for one
// reason.
func skipConcerned(cfg *triggers.Config, ev event.Event, reason string) Explanation {
	out := Explanation{Runs: []Run{}, Skipped: []triggers.Skip{}}
	seen := map[string]bool{}
	for _, set := range concernedJobs(cfg, ev.Kind) {
		for repo, jobs := range set {
			if ev.Repo.FullName != "" && repo != ev.Repo.FullName {
				continue
			}
			for _, j := range jobs {
				if !seen[j.Name] {
					seen[j.Name] = true
					out.Skipped = append(out.Skipped, triggers.Skip{Job: j.Name, Reason: reason})
				}
			}
		}
	}
	sortSkips(out.Skipped)
	return out
}

func concernedJobs(cfg *triggers.Config, kind event.Kind) []map[string][]*triggers.Job {
	switch kind {
	case event.KindPullRequest, event.KindComment:
		return []map[string][]*triggers.Job{cfg.Presubmits}
	case event.KindPush:
		return []map[string][]*triggers.Job{cfg.Postsubmits}
	}
	return []map[string][]*triggers.Job{cfg.Presubmits, cfg.Postsubmits}
}
