package periodic

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/triggers"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDecide(t *testing.T) {
	finished := func(scheduled, started, done string) *Last {
		return &Last{Scheduled: at(scheduled), Started: at(started), Finished: at(done)}
	}
	for _, tc := range []struct {
		name    string
		job     triggers.Job
		last    *Last
		running bool
		since   string
		now     string
		want    Decision
	}{{
		name: "interval never ran: due now, tick cut to the interval",
		job:  triggers.Job{Interval: "1h"},
		now:  "2026-12-07T10:17:03Z",
		want: Decision{Due: true, Tick: at("2026-12-07T10:00:00Z")},
	}, {
		name: "interval not yet: next an interval after the last start",
		job:  triggers.Job{Interval: "1h"},
		last: finished("2026-12-07T09:00:00Z", "2026-12-07T09:00:02Z", "2026-12-07T09:20:00Z"),
		now:  "2026-12-07T09:30:00Z",
		want: Decision{Next: at("2026-12-07T10:00:02Z")},
	}, {
		name: "interval after ten hours down: one run, for the first missed tick",
		job:  triggers.Job{Interval: "1h"},
		last: finished("2026-12-07T00:00:00Z", "2026-12-07T00:00:02Z", "2026-12-07T00:20:00Z"),
		now:  "2026-12-07T10:30:00Z",
		want: Decision{Due: true, Tick: at("2026-12-07T01:00:02Z")},
	}, {
		name:    "interval while the last run runs: wait",
		job:     triggers.Job{Interval: "1h"},
		last:    &Last{Scheduled: at("2026-12-07T09:00:00Z"), Started: at("2026-12-07T09:00:00Z")},
		running: true,
		now:     "2026-12-07T11:00:00Z",
		want:    Decision{Next: at("2026-12-07T12:00:00Z")},
	}, {
		name: "minimum_interval counts from the finish",
		job:  triggers.Job{MinimumInterval: "30m"},
		last: finished("2026-12-07T09:00:00Z", "2026-12-07T09:00:00Z", "2026-12-07T09:50:00Z"),
		now:  "2026-12-07T10:10:00Z",
		want: Decision{Next: at("2026-12-07T10:20:00Z")},
	}, {
		name: "minimum_interval due",
		job:  triggers.Job{MinimumInterval: "30m"},
		last: finished("2026-12-07T09:00:00Z", "2026-12-07T09:00:00Z", "2026-12-07T09:50:00Z"),
		now:  "2026-12-07T10:20:00Z",
		want: Decision{Due: true, Tick: at("2026-12-07T10:20:00Z")},
	}, {
		name: "cron not yet",
		job:  triggers.Job{Cron: "0 * * * *"},
		last: finished("2026-12-07T10:00:00Z", "2026-12-07T10:00:01Z", "2026-12-07T10:05:00Z"),
		now:  "2026-12-07T10:30:00Z",
		want: Decision{Next: at("2026-12-07T11:00:00Z")},
	}, {
		name: "cron on its tick",
		job:  triggers.Job{Cron: "0 * * * *"},
		last: finished("2026-12-07T10:00:00Z", "2026-12-07T10:00:01Z", "2026-12-07T10:05:00Z"),
		now:  "2026-12-07T11:00:00Z",
		want: Decision{Due: true, Tick: at("2026-12-07T11:00:00Z")},
	}, {
		name: "cron after five hours down: one run, for the latest missed tick",
		job:  triggers.Job{Cron: "0 * * * *"},
		last: finished("2026-12-07T10:00:00Z", "2026-12-07T10:00:01Z", "2026-12-07T10:05:00Z"),
		now:  "2026-12-07T15:30:00Z",
		want: Decision{Due: true, Tick: at("2026-12-07T15:00:00Z")},
	}, {
		name:    "cron tick while the last run runs: wait",
		job:     triggers.Job{Cron: "0 * * * *"},
		last:    &Last{Scheduled: at("2026-12-07T10:00:00Z"), Started: at("2026-12-07T10:00:01Z")},
		running: true,
		now:     "2026-12-07T11:00:30Z",
		want:    Decision{Next: at("2026-12-07T12:00:00Z")},
	}, {
		name:  "cron never ran: the first tick after the scheduler knew it",
		job:   triggers.Job{Cron: "0 3 * * *"},
		since: "2026-12-07T02:10:00Z",
		now:   "2026-12-07T02:59:59Z",
		want:  Decision{Next: at("2026-12-07T03:00:00Z")},
	}, {
		name: "cron is read in UTC",
		job:  triggers.Job{Cron: "0 3 * * *"},
		last: finished("2026-12-06T03:00:00Z", "2026-12-06T03:00:01Z", "2026-12-06T03:05:00Z"),
		now:  "2026-12-07T03:00:00Z",
		want: Decision{Due: true, Tick: at("2026-12-07T03:00:00Z")},
	}, {
		name: "cron with a zone of its own",
		job:  triggers.Job{Cron: "CRON_TZ=Europe/Paris 0 3 * * *"},
		last: finished("2026-12-06T02:00:00Z", "2026-12-06T02:00:01Z", "2026-12-06T02:05:00Z"),
		now:  "2026-12-07T01:00:00Z",
		want: Decision{Next: at("2026-12-07T02:00:00Z")},
	}, {
		name: "@every after a gap: the latest tick",
		job:  triggers.Job{Cron: "@every 2s"},
		last: finished("2026-12-07T10:00:00Z", "2026-12-07T10:00:00Z", "2026-12-07T10:00:01Z"),
		now:  "2026-12-07T10:00:07.5Z",
		want: Decision{Due: true, Tick: at("2026-12-07T10:00:06Z")},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			tc.job.Name = "nightly"
			rule, err := RuleOf(&tc.job)
			if err != nil {
				t.Fatal(err)
			}
			var since time.Time
			if tc.since != "" {
				since = at(tc.since)
			}
			got := rule.Decide(tc.last, tc.running, since, at(tc.now))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("decision (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCronCatchUpRunsOnce walks a day of hourly ticks with the controller
// down from 04:10 to 09:40: one run covers the outage, and every other
// tick has its own run.
func TestCronCatchUpRunsOnce(t *testing.T) {
	rule, err := RuleOf(&triggers.Job{Name: "hourly", Cron: "0 * * * *"})
	if err != nil {
		t.Fatal(err)
	}
	down, up := at("2026-12-07T04:10:00Z"), at("2026-12-07T09:40:00Z")
	var last *Last
	var ticks []string
	for now := at("2026-12-07T00:00:00Z"); now.Before(at("2026-12-07T12:00:01Z")); now = now.Add(10 * time.Minute) {
		if now.After(down) && now.Before(up) {
			continue
		}
		d := rule.Decide(last, false, at("2026-12-06T23:59:00Z"), now)
		if d.Due {
			ticks = append(ticks, d.Tick.Format("15:04"))
			last = &Last{Scheduled: d.Tick, Started: now, Finished: now.Add(time.Minute)}
		}
	}
	want := "00:00 01:00 02:00 03:00 04:00 09:00 10:00 11:00 12:00"
	if got := strings.Join(ticks, " "); got != want {
		t.Errorf("ticks run: %s, want %s", got, want)
	}
}

func TestRuleOfRefusesBadSchedules(t *testing.T) {
	for _, tc := range []struct {
		name string
		job  triggers.Job
		want string
	}{
		{"no schedule", triggers.Job{Name: "x"}, "periodic: x: no cron, interval or minimum_interval"},
		{"bad cron", triggers.Job{Name: "x", Cron: "61 * * * *"}, `periodic: x: cron "61 * * * *"`},
		{"zero interval", triggers.Job{Name: "x", Interval: "0s"}, `periodic: x: interval "0s" is not a positive duration`},
		{"bad minimum_interval", triggers.Job{Name: "x", MinimumInterval: "soon"}, `periodic: x: minimum_interval "soon" is not a positive duration`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RuleOf(&tc.job)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %v, want one starting %q", err, tc.want)
			}
		})
	}
}
