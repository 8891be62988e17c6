package providers

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrUnauthorized means the delivery failed authentication.
var ErrUnauthorized = errors.New("unauthorized")

// ErrBadPayload means the delivery could not be parsed or lacks what its
// event needs.
var ErrBadPayload = errors.New("bad payload")

// Ignored is returned for a well-formed delivery that fresnel does not act
// on; Reason tells the sender why.
type Ignored struct{ Reason string }

func (e Ignored) Error() string { return "ignored: " + e.Reason }

// Ignore returns an Ignored error with a formatted reason.
func Ignore(format string, args ...any) error {
	return Ignored{Reason: fmt.Sprintf(format, args...)}
}

// BadPayload wraps ErrBadPayload with what was wrong.
func BadPayload(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadPayload, fmt.Sprintf(format, args...))
}

// Unauthorized wraps ErrUnauthorized with why.
func Unauthorized(why string) error {
	return fmt.Errorf("%w: %s", ErrUnauthorized, why)
}

// Unavailable is returned when what a delivery needs (the cluster that
// takes its PipelineRuns) cannot be reached or is overloaded right now:
// the sender gets 503 and should deliver it again after RetryAfter.
type Unavailable struct {
	// Reason says what was unavailable and names the delivery.
	Reason string
	// RetryAfter is how long the sender should wait; zero means
	// DefaultRetryAfter.
	RetryAfter time.Duration
	// Err is the failure underneath, kept for errors.Is and errors.As.
	Err error
}

// DefaultRetryAfter is the wait an Unavailable answer suggests when the
// failure gave none.
const DefaultRetryAfter = 30 * time.Second

func (e Unavailable) Error() string {
	if e.Err == nil {
		return "unavailable: " + e.Reason
	}
	return "unavailable: " + e.Reason + ": " + e.Err.Error()
}

func (e Unavailable) Unwrap() error { return e.Err }

// RetryAfter is how long the sender of a delivery that failed with err
// should wait before delivering it again; ok is false when err is not
// Unavailable.
func RetryAfter(err error) (time.Duration, bool) {
	var u Unavailable
	if !errors.As(err, &u) {
		return 0, false
	}
	if u.RetryAfter <= 0 {
		return DefaultRetryAfter, true
	}
	return u.RetryAfter, true
}

// HTTPStatus maps an error from Verify or Parse, or an Unavailable from
// handling the event, to the HTTP status the sender gets. It is the one
// place this mapping lives.
func HTTPStatus(err error) int {
	var ignored Ignored
	var unavailable Unavailable
	switch {
	case err == nil:
		return http.StatusOK
	case errors.As(err, &unavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, ErrUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, ErrBadPayload):
		return http.StatusBadRequest
	case errors.As(err, &ignored):
		return http.StatusOK
	default:
		return http.StatusInternalServerError
	}
}
