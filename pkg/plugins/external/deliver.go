package external

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/fresnel-ci/fresnel/pkg/event"
	"github.com/fresnel-ci/fresnel/pkg/metrics"
)

// Headers fresnel adds to every forwarded delivery.
const (
	HeaderProvider  = "X-Fresnel-Provider"
	HeaderInstance  = "X-Fresnel-Instance"
	HeaderEvent     = "X-Fresnel-Event"
	HeaderDelivery  = "X-Fresnel-Delivery"
	HeaderSignature = "X-Fresnel-Signature-256"
	userAgent       = "fresnel-hook"
)

// withheld are request headers never forwarded: credentials the SCM sent
// to fresnel alone (GitLab's token is the shared secret itself, Gerrit's
// Basic auth a password), and hop-by-hop or transport headers the client
// sets itself.
var withheld = []string{
	"Authorization", "Proxy-Authorization", "Cookie", "X-Gitlab-Token",
	"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
	"Content-Length", "Accept-Encoding", "Host",
}

// Delivery is one verified webhook delivery, as the SCM sent it.
type Delivery struct {
	Provider string
	Instance string
	// ID is the delivery id fresnel logs the delivery under.
	ID string
	// Repo is the repository's full name (owner/name, group/sub/name).
	Repo string
	// Event is the delivery's event named as GitHub names it (the
	// X-GitHub-Event value, or pull_request, push, issue_comment for the
	// normalized kinds of other SCMs); Prow's events lists use these names.
	Event string
	// SCMEvent is the SCM's own name for the event (X-Gitlab-Event,
	// X-Event-Key), which an events list may also use.
	SCMEvent string
	Header   http.Header
	Body     []byte
}

// FromRequest describes a verified delivery and the event parsed from it.
// The header is copied: the request may be gone before the call is made.
// An event fresnel ignores (a GitHub check_run, say) parses to no
// repository; it is read from the payload's repository.full_name (GitHub,
// Bitbucket Cloud) or project.path_with_namespace (GitLab), so that
// plugins still receive it, as Prow forwards events it does not handle.
func FromRequest(ev event.Event, h http.Header, body []byte) Delivery {
	repo := ev.Repo.FullName
	if repo == "" {
		repo = payloadRepo(body)
	}
	return Delivery{
		Provider: ev.Provider, Instance: ev.Instance, ID: ev.Delivery, Repo: repo,
		Event: githubEventName(ev, h), SCMEvent: scmEventName(h), Header: h.Clone(), Body: body,
	}
}

// payloadRepo reads the repository's full name from the fields GitHub,
// Bitbucket Cloud and GitLab payloads carry it in; "" when there is none.
func payloadRepo(body []byte) string {
	var p struct {
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
		Project struct {
			PathWithNamespace string `json:"path_with_namespace"`
		} `json:"project"`
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	return cmp.Or(p.Repository.FullName, p.Project.PathWithNamespace)
}

// githubEventName names the event as Prow's external_plugins events
// lists do.
func githubEventName(ev event.Event, h http.Header) string {
	if name := h.Get("X-GitHub-Event"); name != "" {
		return name
	}
	if ev.Kind == event.KindComment {
		return "issue_comment"
	}
	return string(ev.Kind)
}

func scmEventName(h http.Header) string {
	for _, name := range []string{"X-Gitlab-Event", "X-Event-Key"} {
		if v := h.Get(name); v != "" {
			return v
		}
	}
	return ""
}

func (d Delivery) eventNames() []string {
	if d.SCMEvent == "" || d.SCMEvent == d.Event {
		return []string{d.Event}
	}
	return []string{d.Event, d.SCMEvent}
}

// request builds the call to one plugin: the original headers less the
// withheld ones, fresnel's own, and a signature when a secret is set.
func (d Delivery) request(ctx context.Context, endpoint string, secret []byte) (*http.Request, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(d.Body))
	if err != nil {
		return nil, fmt.Errorf("external: request to %s: %w", endpoint, err)
	}
	r.Header = d.Header.Clone()
	if r.Header == nil {
		r.Header = http.Header{}
	}
	for _, name := range withheld {
		r.Header.Del(name)
	}
	r.Header.Set("User-Agent", userAgent)
	r.Header.Set(HeaderProvider, d.Provider)
	r.Header.Set(HeaderInstance, d.Instance)
	r.Header.Set(HeaderEvent, d.Event)
	r.Header.Set(HeaderDelivery, d.ID)
	if len(secret) > 0 {
		r.Header.Set(HeaderSignature, Sign(secret, d.Body))
	}
	return r, nil
}

// Sign returns the X-Fresnel-Signature-256 value of body under secret:
// "sha256=" and the hex HMAC-SHA256, as GitHub writes X-Hub-Signature-256.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// once makes one call. retry says whether a failure may succeed if tried
// again: a network error or a 5xx answer.
func (f *Forwarder) once(c call) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(f.stopCtx, f.opts.Timeout)
	defer cancel()
	var secret []byte
	if f.opts.Secret != nil {
		secret = f.opts.Secret(c.plugin.Name)
	}
	req, err := c.delivery.request(ctx, c.plugin.Endpoint, secret)
	if err != nil {
		return false, err
	}
	start := time.Now()
	resp, err := f.opts.Client.Do(req)
	metrics.ExternalPluginDuration.WithLabelValues(c.plugin.Name).Observe(time.Since(start).Seconds())
	if err != nil {
		return true, fmt.Errorf("external: %s: %w", c.plugin.Name, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return false, nil
	}
	return resp.StatusCode >= 500, fmt.Errorf("external: %s answered %s: %q", c.plugin.Name, resp.Status, msg)
}
