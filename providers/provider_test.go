package providers

import (
	"context"
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // the test signs with SHA-1 to check it is refused unless allowed.
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fresnel-ci/fresnel/pkg/event"
)

// testKind is a provider kind registered only in this package's tests.
const testKind = "providers-test"

// testIntake is the provider the test kind builds; it records its config.
type testIntake struct{ cfg Config }

func (p *testIntake) Verify(context.Context, *http.Request, []byte) error { return nil }

func (p *testIntake) Parse(context.Context, *http.Request, []byte) (event.Event, error) {
	return event.Event{}, nil
}

func init() {
	Register(testKind, func(cfg Config) (Intake, error) {
		if cfg.Options["fail"] != "" {
			return nil, errors.New(cfg.Options["fail"])
		}
		return &testIntake{cfg: cfg}, nil
	})
}

func signSHA1(secret, body []byte) string {
	mac := hmac.New(sha1.New, secret)
	mac.Write(body)
	return "sha1=" + hex.EncodeToString(mac.Sum(nil))
}

func TestVerifyHMAC(t *testing.T) {
	secret := []byte("s3cret")
	body := []byte(`{"action":"opened"}`)
	tests := []struct {
		name      string
		secret    []byte
		header    string
		allowSHA1 bool
		wantErr   bool
	}{
		{name: "valid sha256", secret: secret, header: SignSHA256(secret, body)},
		{name: "valid sha256 with surrounding space", secret: secret, header: " " + SignSHA256(secret, body) + " "},
		{name: "wrong secret", secret: []byte("other"), header: SignSHA256(secret, body), wantErr: true},
		{name: "signature of another body", secret: secret, header: SignSHA256(secret, []byte("{}")), wantErr: true},
		{name: "empty secret refused", secret: nil, header: SignSHA256(nil, body), wantErr: true},
		{name: "sha1 refused by default", secret: secret, header: signSHA1(secret, body), wantErr: true},
		{name: "sha1 when allowed", secret: secret, header: signSHA1(secret, body), allowSHA1: true},
		{name: "wrong sha1 when allowed", secret: secret, header: signSHA1([]byte("other"), body), allowSHA1: true, wantErr: true},
		{name: "missing header", secret: secret, header: "", wantErr: true},
		{name: "no algorithm", secret: secret, header: strings.TrimPrefix(SignSHA256(secret, body), "sha256="), wantErr: true},
		{name: "empty signature", secret: secret, header: "sha256=", wantErr: true},
		{name: "unknown algorithm", secret: secret, header: "md5=" + strings.TrimPrefix(SignSHA256(secret, body), "sha256="), wantErr: true},
		{name: "non-hex signature", secret: secret, header: "sha256=zz" + strings.Repeat("0", 62), wantErr: true},
		{name: "truncated signature", secret: secret, header: SignSHA256(secret, body)[:20], wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := VerifyHMAC(tc.secret, body, tc.header, tc.allowSHA1)
			if tc.wantErr {
				if !errors.Is(err, ErrUnauthorized) {
					t.Errorf("VerifyHMAC() = %v, want an error wrapping ErrUnauthorized", err)
				}
				return
			}
			if err != nil {
				t.Errorf("VerifyHMAC() = %v, want nil", err)
			}
		})
	}
}

func TestEqualToken(t *testing.T) {
	tests := []struct {
		name     string
		expected []byte
		got      string
		wantErr  bool
	}{
		{name: "match", expected: []byte("token"), got: "token"},
		{name: "mismatch", expected: []byte("token"), got: "tokem", wantErr: true},
		{name: "prefix only", expected: []byte("token"), got: "tok", wantErr: true},
		{name: "empty got", expected: []byte("token"), got: "", wantErr: true},
		{name: "empty expected never matches", expected: nil, got: "", wantErr: true},
		{name: "empty expected, some token", expected: []byte{}, got: "token", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := EqualToken(tc.expected, tc.got)
			if tc.wantErr {
				if !errors.Is(err, ErrUnauthorized) {
					t.Errorf("EqualToken() = %v, want an error wrapping ErrUnauthorized", err)
				}
				return
			}
			if err != nil {
				t.Errorf("EqualToken() = %v, want nil", err)
			}
		})
	}
}

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{name: "nil", err: nil, want: http.StatusOK},
		{name: "unauthorized", err: ErrUnauthorized, want: http.StatusUnauthorized},
		{name: "unauthorized helper", err: Unauthorized("bad token"), want: http.StatusUnauthorized},
		{name: "unauthorized wrapped", err: fmt.Errorf("provider/x: verify: %w", Unauthorized("bad")), want: http.StatusUnauthorized},
		{name: "bad payload", err: ErrBadPayload, want: http.StatusBadRequest},
		{name: "bad payload wrapped", err: fmt.Errorf("provider/x: parse: %w", BadPayload("no head SHA")), want: http.StatusBadRequest},
		{name: "ignored", err: Ignore("event %q", "star"), want: http.StatusOK},
		{name: "ignored wrapped", err: fmt.Errorf("provider/x: %w", Ignored{Reason: "ping"}), want: http.StatusOK},
		{name: "other", err: errors.New("apiserver down"), want: http.StatusInternalServerError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := HTTPStatus(tc.err); got != tc.want {
				t.Errorf("HTTPStatus(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}

func TestErrorHelpers(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "ignore", err: Ignore("event %s", "star"), want: "ignored: event star"},
		{name: "bad payload", err: BadPayload("no %s", "sha"), want: "bad payload: no sha"},
		{name: "unauthorized", err: Unauthorized("token mismatch"), want: "unauthorized: token mismatch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{name: "with secret", cfg: Config{Kind: testKind, Name: "a", Secret: []byte("s")}},
		{name: "insecure without secret", cfg: Config{Kind: testKind, Name: "a", Insecure: true}},
		{name: "missing secret", cfg: Config{Kind: testKind, Name: "a"}, wantErr: "has no secret"},
		{name: "empty secret", cfg: Config{Kind: testKind, Name: "a", Secret: []byte{}}, wantErr: "has no secret"},
		{name: "unknown kind", cfg: Config{Kind: "nosuchscm", Name: "a", Secret: []byte("s")}, wantErr: `unknown kind "nosuchscm"`},
		{name: "no name", cfg: Config{Kind: testKind, Secret: []byte("s")}, wantErr: "without a name"},
		{name: "factory error", cfg: Config{Kind: testKind, Name: "a", Secret: []byte("s"), Options: map[string]string{"fail": "bad url"}}, wantErr: "bad url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(tc.cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("New() error = %v, want one containing %q", err, tc.wantErr)
				}
				if p != nil {
					t.Errorf("New() = %v with an error, want nil", p)
				}
				return
			}
			if err != nil {
				t.Fatalf("New() error = %v", err)
			}
			got, ok := p.(*testIntake)
			if !ok {
				t.Fatalf("New() = %T, want *testIntake", p)
			}
			if diff := cmp.Diff(tc.cfg, got.cfg); diff != "" {
				t.Errorf("factory config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKindsListsRegistered(t *testing.T) {
	found := false
	for _, k := range Kinds() {
		found = found || k == testKind
	}
	if !found {
		t.Errorf("Kinds() = %v, want it to include %q", Kinds(), testKind)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Register of an existing kind did not panic")
		}
	}()
	Register(testKind, func(Config) (Intake, error) { return nil, nil })
}

func TestNewSet(t *testing.T) {
	a := Config{Kind: testKind, Name: "a", Secret: []byte("sa")}
	b := Config{Kind: testKind, Name: "b", Insecure: true}
	tests := []struct {
		name    string
		cfgs    []Config
		want    []string
		wantErr string
	}{
		{name: "two instances of one kind, sorted", cfgs: []Config{b, a}, want: []string{testKind + "/a", testKind + "/b"}},
		{name: "none", cfgs: nil, want: nil},
		{name: "duplicate instance", cfgs: []Config{a, b, a}, wantErr: "configured twice"},
		{name: "one instance fails", cfgs: []Config{a, {Kind: testKind, Name: "c"}}, wantErr: "has no secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, err := NewSet(tc.cfgs)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("NewSet() error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewSet() error = %v", err)
			}
			var names []string
			for _, in := range set.All() {
				names = append(names, in.Kind+"/"+in.Name)
			}
			if diff := cmp.Diff(tc.want, names); diff != "" {
				t.Errorf("All() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetGet(t *testing.T) {
	set, err := NewSet([]Config{
		{Kind: testKind, Name: "a", Secret: []byte("sa")},
		{Kind: testKind, Name: "b", Secret: []byte("sb")},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		kind, inst string
		wantOK     bool
		wantSecret string
	}{
		{name: "first", kind: testKind, inst: "a", wantOK: true, wantSecret: "sa"},
		{name: "second", kind: testKind, inst: "b", wantOK: true, wantSecret: "sb"},
		{name: "unknown instance", kind: testKind, inst: "c"},
		{name: "unknown kind", kind: "github", inst: "a"},
		{name: "kind and name run together", kind: testKind + "/a", inst: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, ok := set.Get(tc.kind, tc.inst)
			if ok != tc.wantOK {
				t.Fatalf("Get(%q, %q) ok = %v, want %v", tc.kind, tc.inst, ok, tc.wantOK)
			}
			if !ok {
				return
			}
			if got := string(in.Secret); got != tc.wantSecret {
				t.Errorf("Get(%q, %q).Secret = %q, want %q", tc.kind, tc.inst, got, tc.wantSecret)
			}
			p, isTest := in.Intake.(*testIntake)
			if !isTest || p.cfg.Name != tc.inst {
				t.Errorf("Get(%q, %q).Intake = %#v, want the instance built for %q", tc.kind, tc.inst, in.Intake, tc.inst)
			}
		})
	}
}
