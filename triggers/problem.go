package triggers

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// Severity says whether a problem keeps a configuration from loading.
type Severity string

// Severities. An error rejects the configuration; a warning names
// something fresnel accepts but does not act on, or a job that cannot run.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one thing wrong with a configuration file, and where.
type Problem struct {
	File     string
	Line     int // 0 when the problem is not on one line (a missing file)
	Severity Severity
	Message  string
}

// Position is FILE:LINE, or FILE alone when the line is not known.
func (p Problem) Position() string {
	if p.Line <= 0 {
		return p.File
	}
	return p.File + ":" + strconv.Itoa(p.Line)
}

// String is the problem as checkconfig prints it: FILE:LINE: SEVERITY: MESSAGE.
func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s", p.Position(), p.Severity, p.Message)
}

// Error is the problem as Load returns it.
func (p Problem) Error() string {
	return fmt.Sprintf("triggers: %s: %s", p.Position(), p.Message)
}

// Problems are the problems of one configuration.
type Problems []Problem

// Err joins the errors, not the warnings, into one error; nil when there
// are none.
func (ps Problems) Err() error {
	var errs []error
	for _, p := range ps {
		if p.Severity == SeverityError {
			errs = append(errs, p)
		}
	}
	return errors.Join(errs...)
}

// Count returns how many errors and warnings there are.
func (ps Problems) Count() (errs, warnings int) {
	for _, p := range ps {
		if p.Severity == SeverityError {
			errs++
		} else {
			warnings++
		}
	}
	return errs, warnings
}

// Sort orders problems by file and line, keeping the order in which
// problems on one line were found.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
}
