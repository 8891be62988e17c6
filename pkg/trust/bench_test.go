package trust

import (
	"context"
	"fmt"
	"testing"

	"github.com/fresnel-ci/fresnel/triggers"
)

// BenchmarkDecision reports the SCM API calls one event's trust decision
// makes: a member's pull request, a stranger's (members, collaborators,
// then its labels), and either one again within the cache's lifetime.
func BenchmarkDecision(b *testing.B) {
	noLabels := func() ([]string, bool, error) { return nil, true, nil } // dispatch reads them from the SCM
	cases := []struct {
		name   string
		user   string
		cached bool
	}{
		{name: "trusted", user: "alice"},
		{name: "untrusted", user: "mallory"},
		{name: "trusted-cached", user: "alice", cached: true},
		{name: "untrusted-cached", user: "mallory", cached: true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			scm := newSCM()
			d := New(Options{})
			calls := 0
			for i := 0; i < b.N; i++ {
				user := c.user
				if !c.cached {
					user = fmt.Sprintf("%s-%d", c.user, i)
					scm.members["acme"] = append(scm.members["acme"][:0], "alice-"+fmt.Sprint(i))
				}
				q := Query{Instance: "github/public", Repo: "acme/widgets", User: user}
				dec, err := d.PullRequest(context.Background(), scm, triggers.TriggerSettings{}, q, noLabels)
				if err != nil {
					b.Fatal(err)
				}
				calls += dec.Calls
			}
			b.ReportMetric(float64(calls)/float64(b.N), "scm-calls/event")
		})
	}
}
