package settings

import (
	"fmt"
	"path"
)

// InRepoConfig lists the repositories whose own job files (.prow.yaml,
// .prow/, .lighthouse/*/triggers.yaml) are read and added to their jobs.
type InRepoConfig struct {
	// Repos are full names (org/repo) or globs on them as path.Match reads
	// them ("org/*"); "*" alone is every repository.
	Repos []string `json:"repos,omitempty"`
	// CacheSize bounds how many commits' in-repo jobs are kept in memory;
	// 0 means the default of 1,000.
	CacheSize int `json:"cacheSize,omitempty"`
}

// Enabled reports whether repo's own jobs are read.
func (c InRepoConfig) Enabled(repo string) bool {
	for _, pattern := range c.Repos {
		if pattern == "*" {
			return true
		}
		if ok, _ := path.Match(pattern, repo); ok {
			return true
		}
	}
	return false
}

func (c InRepoConfig) validate() error {
	for i, pattern := range c.Repos {
		if _, err := path.Match(pattern, ""); err != nil || pattern == "" {
			return fmt.Errorf("inRepoConfig.repos[%d]: %q is not a repository name or glob", i, pattern)
		}
	}
	if c.CacheSize < 0 {
		return fmt.Errorf("inRepoConfig.cacheSize: %d is negative", c.CacheSize)
	}
	return nil
}
