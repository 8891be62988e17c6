package scmhook

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// Delivery returns the first of the named headers that is set, or else
// "sha256:" and the hash of the event name and body, so a redelivered
// payload still gets the same id (and so the same PipelineRun names), and
// two events that carry the same body do not.
func Delivery(h http.Header, event string, body []byte, names ...string) string {
	for _, name := range names {
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			return v
		}
	}
	hash := sha256.New()
	hash.Write([]byte(event + "\n"))
	hash.Write(body)
	return "sha256:" + hex.EncodeToString(hash.Sum(nil))
}

// Identify is Delivery for a provider's Identify method: without a body
// (a delivery refused before it was read) and with none of the headers
// set there is nothing to derive an id from, and it returns "".
func Identify(h http.Header, event string, body []byte, names ...string) string {
	if body == nil {
		for _, name := range names {
			if v := strings.TrimSpace(h.Get(name)); v != "" {
				return v
			}
		}
		return ""
	}
	return Delivery(h, event, body, names...)
}
