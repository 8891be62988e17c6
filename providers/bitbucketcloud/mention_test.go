package bitbucketcloud

import "testing"

func TestMention(t *testing.T) {
	tests := map[string]string{
		"557058:0b1c2d3e-aaaa-bbbb-cccc-0123456789ab": "@{557058:0b1c2d3e-aaaa-bbbb-cccc-0123456789ab}",
		"{f6e5d4c3-b2a1-4f5e-8d7c-6b5a4f3e2d1c}":      "@{f6e5d4c3-b2a1-4f5e-8d7c-6b5a4f3e2d1c}",
		"evzijst":                                     "@evzijst",
	}
	var p Provider
	for user, want := range tests {
		if got := p.Mention(user); got != want {
			t.Errorf("Mention(%q) = %q, want %q", user, got, want)
		}
	}
}
