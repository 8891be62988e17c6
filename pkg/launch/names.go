// Package launch turns a selected job and the event that selected it into
// a PipelineRun, and creates it idempotently.
package launch

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

const (
	maxNameLen  = 63
	hashHexLen  = 10
	maxLabelLen = 63
)

// RunName is the deterministic name of the PipelineRun for one job of one
// delivery: the same webhook redelivered yields the same name, so the
// apiserver's AlreadyExists is the duplicate check.
func RunName(instance, repo, delivery, job string) string {
	sum := sha256.Sum256([]byte(instance + "|" + repo + "|" + delivery + "|" + job))
	suffix := hex.EncodeToString(sum[:])[:hashHexLen]
	prefix := dnsLabel(job, maxNameLen-hashHexLen-1)
	if prefix == "" {
		return "run-" + suffix
	}
	return prefix + "-" + suffix
}

var notDNS = regexp.MustCompile(`[^a-z0-9-]+`)

// dnsLabel lowercases s, replaces what a DNS label cannot hold with '-'
// and cuts it to max characters, trimming dashes at either end.
func dnsLabel(s string, max int) string {
	s = notDNS.ReplaceAllString(strings.ToLower(s), "-")
	if len(s) > max {
		s = s[:max]
	}
	return strings.Trim(s, "-")
}

var notLabel = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// LabelValue makes s a valid label value: allowed characters only, at most
// 63 of them, starting and ending alphanumeric.
func LabelValue(s string) string {
	s = notLabel.ReplaceAllString(s, "_")
	if len(s) > maxLabelLen {
		s = s[:maxLabelLen]
	}
	return strings.Trim(s, "._-")
}

// RepoLabel is the label-safe key of a repository: "org/repo" becomes
// "org.repo"; long names keep a hash so they stay distinct.
func RepoLabel(fullName string) string {
	key := strings.ReplaceAll(fullName, "/", ".")
	v := LabelValue(key)
	// Decide on the name before LabelValue cut and trimmed it: a long name
	// whose cut falls on a '.', '-' or '_' comes out shorter than the limit.
	if len(key) < maxLabelLen {
		return v
	}
	sum := sha256.Sum256([]byte(fullName))
	hash := hex.EncodeToString(sum[:])[:hashHexLen]
	prefix := strings.Trim(v[:min(len(v), maxLabelLen-hashHexLen-1)], "._-")
	if prefix == "" {
		return hash
	}
	return prefix + "-" + hash
}
