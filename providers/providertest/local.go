package providertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Local loads the payloads a provider keeps in its own testdata/ (cases
// the published samples lack), with their .headers files.
func Local(t testing.TB) []Payload {
	t.Helper()
	return loadDir(t, "testdata", "local-", nil)
}

// SharedEvents loads Shared(t, dir) and sets eventHeader, on each payload
// whose .headers file does not, to the event MANIFEST.tsv lists for it.
func SharedEvents(t testing.TB, dir, eventHeader string) []Payload {
	t.Helper()
	events := manifestEvents(t, dir)
	payloads := Shared(t, dir)
	for _, p := range payloads {
		if p.Header.Get(eventHeader) == "" {
			p.Header.Set(eventHeader, events[strings.TrimPrefix(p.Name, "shared-")])
		}
	}
	return payloads
}

// manifestEvents reads test/testdata/webhooks/MANIFEST.tsv and returns the
// event column of dir's files, keyed by file name without .json: the
// X-Gitlab-Event or X-Event-Key of samples that have no .headers file.
func manifestEvents(t testing.TB, dir string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(RepoRoot(), "test", "testdata", "webhooks", "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	events := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) >= 3 && cols[0] == dir {
			events[strings.TrimSuffix(cols[1], ".json")] = cols[2]
		}
	}
	return events
}
