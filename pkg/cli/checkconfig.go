package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/fresnel-ci/fresnel/triggers"
)

const checkconfigUsage = `usage: fresnel checkconfig --config FILE [--job-config DIR] [--plugins FILE] [--strict]

Validates the job configuration strictly, as the service loads it, and
prints each problem as FILE:LINE: error|warning: message.

  --config FILE      Prow's (or Lighthouse's) config.yaml
  --job-config DIR   a job-config directory, read recursively
  --plugins FILE     plugins.yaml
  --strict           treat warnings as errors

Exit status: 0 when valid, 1 on errors (or warnings with --strict), 2 on bad flags.
`

// CheckConfig runs "fresnel checkconfig".
func CheckConfig(_ context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("checkconfig", checkconfigUsage, stdout, stderr)
	config := c.flags.String("config", "", "")
	jobConfig := c.flags.String("job-config", "", "")
	plugins := c.flags.String("plugins", "", "")
	strict := c.flags.Bool("strict", false, "")
	if err := c.parse(args); err != nil {
		return err
	}
	if err := c.require(map[string]string{"config": *config}); err != nil {
		return err
	}
	cfg, problems := triggers.Check(*config, *jobConfig)
	if *plugins != "" {
		problems = append(problems, checkPlugins(*plugins)...)
		problems.Sort()
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p.String())
	}
	errs, warnings := problems.Count()
	fmt.Fprintln(stdout, summary(cfg, errs, warnings))
	if errs > 0 || *strict && warnings > 0 {
		return ExitProblems
	}
	return nil
}

// summary is the last line checkconfig prints.
func summary(cfg *triggers.Config, errs, warnings int) string {
	counts := fmt.Sprintf("%s, %s", plural(errs, "error"), plural(warnings, "warning"))
	if cfg == nil || errs > 0 {
		return "configuration rejected: " + counts
	}
	repos := map[string]bool{}
	pre, post := 0, 0
	for repo, jobs := range cfg.Presubmits {
		repos[repo] = repos[repo] || len(jobs) > 0
		pre += len(jobs)
	}
	for repo, jobs := range cfg.Postsubmits {
		repos[repo] = repos[repo] || len(jobs) > 0
		post += len(jobs)
	}
	n := 0
	for _, has := range repos {
		if has {
			n++
		}
	}
	return fmt.Sprintf("configuration valid: %s, %s, %s in %s; %s",
		plural(pre, "presubmit"), plural(post, "postsubmit"), plural(len(cfg.Periodics), "periodic"),
		plural(n, "repo"), counts)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
