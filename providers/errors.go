package providers

import (
	"errors"
	"fmt"
	"net/http"
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

// HTTPStatus maps an error from Verify or Parse to the HTTP status the
// sender gets. It is the one place this mapping lives.
func HTTPStatus(err error) int {
	var ignored Ignored
	switch {
	case err == nil:
		return http.StatusOK
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
