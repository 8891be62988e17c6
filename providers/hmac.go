package providers

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // SHA-1 signatures only where an instance opts in.
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"strings"
)

// VerifyHMAC checks a "<algo>=<hex>" signature header over body with secret,
// in constant time. Accepted algorithms are sha256 and, only when allowSHA1
// is set, sha1. An empty secret or signature never verifies.
func VerifyHMAC(secret, body []byte, header string, allowSHA1 bool) error {
	if len(secret) == 0 {
		return Unauthorized("no secret configured")
	}
	algo, sigHex, ok := strings.Cut(strings.TrimSpace(header), "=")
	if !ok || sigHex == "" {
		return Unauthorized("missing or malformed signature")
	}
	var newHash func() hash.Hash
	switch {
	case algo == "sha256":
		newHash = sha256.New
	case algo == "sha1" && allowSHA1:
		newHash = sha1.New
	default:
		return Unauthorized("unsupported signature algorithm " + algo)
	}
	want, err := hex.DecodeString(sigHex)
	if err != nil {
		return Unauthorized("signature is not hex")
	}
	mac := hmac.New(newHash, secret)
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), want) {
		return Unauthorized("signature mismatch")
	}
	return nil
}

// SignSHA256 returns the "sha256=<hex>" signature of body; senders and
// tests use it.
func SignSHA256(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// EqualToken compares a shared token in constant time. An empty expected
// token never matches.
func EqualToken(expected []byte, got string) error {
	if len(expected) == 0 {
		return Unauthorized("no secret configured")
	}
	if subtle.ConstantTimeCompare(expected, []byte(got)) != 1 {
		return Unauthorized("token mismatch")
	}
	return nil
}
