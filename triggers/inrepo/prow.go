package inrepo

import (
	"github.com/fresnel-ci/fresnel/triggers"
)

// Prow's in-repo files: .prow.yaml, or every YAML file under .prow/ when
// that directory exists (then .prow.yaml is not read, as in Prow).
const (
	prowFile = ".prow.yaml"
	prowDir  = ".prow"
)

// prowFields are the fields of Prow's ProwYAML.
var prowFields = map[string]string{
	"presubmits":   "",
	"postsubmits":  "",
	"prow_ignored": "", // free for YAML anchors, as in Prow
	"presets":      "presets are not supported by fresnel; set the env and volumes in each job",
}

// parseProw reads one Prow in-repo file: lists of presubmits and
// postsubmits without the repo key.
func parseProw(data []byte, file, repo string) (*triggers.Config, error) {
	root, err := parseYAML(data, file)
	if root == nil || err != nil {
		return nil, err
	}
	fs, err := fields(root, file, "top level", prowFields)
	if err != nil {
		return nil, err
	}
	return parseJobs(wrap(repo, fs), file, nil)
}
