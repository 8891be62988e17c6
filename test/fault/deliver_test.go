package fault

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fresnel-ci/fresnel/test/harness"
)

// delivery is one webhook as an SCM sends it. header is made anew for
// every send: GitLab gives a resend a new X-Gitlab-Event-UUID and keeps
// its Idempotency-Key, GitHub keeps X-GitHub-Delivery.
type delivery struct {
	provider, instance, id string
	body                   []byte
	header                 func() http.Header
}

// key names the delivery as fresnel records it on its PipelineRuns.
func (d delivery) key() string { return d.instance + "/" + d.id }

// githubDelivery opens pull request n: a signed pull_request delivery.
func githubDelivery(scenario string, n int) delivery {
	id := fmt.Sprintf("%s-gh-%d", scenario, n)
	body := harness.GitHubPullRequestEvent("opened", repo, n, fmt.Sprintf("%040x", n), "main")
	return delivery{"github", githubInstance, id, body, func() http.Header {
		return harness.GitHubHeader("pull_request", id, githubSecret, body)
	}}
}

// gitlabDelivery opens merge request n: a Merge Request Hook with the
// instance's token.
func gitlabDelivery(scenario string, n int) delivery {
	id := fmt.Sprintf("%s-gl-%d", scenario, n)
	body := harness.GitLabMergeRequestEvent("open", repo, n, fmt.Sprintf("%040x", n), "feature", "main")
	return delivery{"gitlab", gitlabInstance, id, body, func() http.Header {
		return harness.GitLabHeader("Merge Request Hook", id, gitlabToken)
	}}
}

// mixed is n deliveries, GitHub and GitLab in turn, each its own pull
// request.
func mixed(scenario string, n int) []delivery {
	ds := make([]delivery, n)
	for i := range ds {
		if i%2 == 0 {
			ds[i] = githubDelivery(scenario, i+1)
		} else {
			ds[i] = gitlabDelivery(scenario, i+1)
		}
	}
	return ds
}

// client gives up on an answer after 30s: a hung delivery counts as
// unanswered, as it would for the SCM.
var client = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64},
}

// post sends d to fresnel at base and returns the status, 0 when no answer
// came.
func post(base string, d delivery) int {
	req, err := http.NewRequest(http.MethodPost, base+harness.HookPath(d.provider, d.instance), bytes.NewReader(d.body))
	if err != nil {
		return 0
	}
	req.Header = d.header()
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0
	}
	return resp.StatusCode
}

// tally counts the answers of a scenario and which deliveries fresnel
// acknowledged (2xx) at least once.
type tally struct {
	mu      sync.Mutex
	sends   int
	answers map[int]int
	acked   map[string]bool
}

func newTally() *tally { return &tally{answers: map[int]int{}, acked: map[string]bool{}} }

func (tl *tally) record(d delivery, status int) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.sends++
	tl.answers[status]++
	if status >= 200 && status < 300 {
		tl.acked[d.key()] = true
	}
}

func (tl *tally) isAcked(d delivery) bool {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return tl.acked[d.key()]
}

// send posts d to the fresnel serving now and records the answer.
func (in *install) send(tl *tally, d delivery) int {
	status := post(in.url(), d)
	tl.record(d, status)
	return status
}

// unacked are the deliveries of ds fresnel has not acknowledged: each got
// no answer or an error, so the SCM would send it again.
func (tl *tally) unacked(ds []delivery) []delivery {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	var out []delivery
	for _, d := range ds {
		if !tl.acked[d.key()] {
			out = append(out, d)
		}
	}
	return out
}

// count returns how many answers had a status for which match is true.
func (tl *tally) count(match func(status int) bool) int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	n := 0
	for s, c := range tl.answers {
		if match(s) {
			n += c
		}
	}
	return n
}

// answersLine is the answers by status, "none" for no answer.
func (tl *tally) answersLine() string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	statuses := make([]int, 0, len(tl.answers))
	for s := range tl.answers {
		statuses = append(statuses, s)
	}
	sort.Ints(statuses)
	parts := make([]string, 0, len(statuses))
	for _, s := range statuses {
		name := fmt.Sprint(s)
		if s == 0 {
			name = "none"
		}
		parts = append(parts, fmt.Sprintf("%s=%d", name, tl.answers[s]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// burst sends ds in order from senders goroutines, one send every pace
// (0: as fast as the senders go), and returns once every one was sent.
func (in *install) burst(tl *tally, ds []delivery, senders int, pace time.Duration) {
	queue := make(chan delivery)
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range queue {
				in.send(tl, d)
			}
		}()
	}
	for _, d := range ds {
		queue <- d
		if pace > 0 {
			time.Sleep(pace)
		}
	}
	close(queue)
	wg.Wait()
}

// redeliver sends every delivery fresnel has not acknowledged again, as
// an SCM's redelivery would, in at most rounds rounds a second apart, and
// returns how many sends that took.
func (in *install) redeliver(tl *tally, ds []delivery, rounds int) int {
	sent := 0
	for round := 0; round < rounds; round++ {
		todo := tl.unacked(ds)
		if len(todo) == 0 {
			break
		}
		if round > 0 {
			time.Sleep(time.Second)
		}
		in.burst(tl, todo, 8, 0)
		sent += len(todo)
	}
	return sent
}

// together sends d from n goroutines released at the same instant.
func (in *install) together(tl *tally, d delivery, n int) {
	var ready, done sync.WaitGroup
	release := make(chan struct{})
	for range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-release
			in.send(tl, d)
		}()
	}
	ready.Wait()
	close(release)
	done.Wait()
}
