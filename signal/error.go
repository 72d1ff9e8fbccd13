// Package signal is Signaal's domain: young people (only ever by pseudonym
// outside encrypted storage), concern signals, the sharing decision's input
// and output, organisations, people and roles. It depends on the standard
// library only; storage, HTTP, the policy engine and the audit log live in
// packages that import this one, never the other way round.
//
// Files are named for what they hold: a singular name holds a thing's types
// and rules (signal.go, meeting.go, decision.go), a plural one the service
// of its use cases (signals.go: Signals; meetings.go: Meetings, with its
// agenda.go, cases.go, minutes.go and evaluation.go); disclosure.go is what
// a reader may see of a signal, for both.
package signal

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an error for the caller. Every layer maps codes, never
// messages, to its own vocabulary (HTTP status, exit status) in one place.
type Code string

// Error codes, in the spirit of WTF Dial's: few, stable, meaningful to a user.
const (
	CodeInvalid      Code = "invalid"      // the input is wrong; Fields says where
	CodeTooLarge     Code = "too_large"    // the input is larger than allowed
	CodeUnauthorized Code = "unauthorized" // no valid identity
	CodeForbidden    Code = "forbidden"    // identity known, action not allowed
	CodeNotFound     Code = "not_found"    // no such thing (or not visible to this reader)
	CodeConflict     Code = "conflict"     // the state does not allow it (e.g. duplicate)
	CodeTooMany      Code = "too_many"     // rate limited
	CodeUnavailable  Code = "unavailable"  // temporarily unable (e.g. shutting down)
	CodeInternal     Code = "internal"     // a fault of ours; details are logged, not shown
)

// FieldError names one problem with one input field. Field is the input path
// in the wire format's spelling (e.g. "youth.birth_date", "answers.consent.parents").
type FieldError struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// Error is the domain's error: a code, a message fit to show a user, and for
// invalid input the problem per field. Internal causes are kept in Err for
// logs and errors.Is/As, never shown.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Field)
		b.WriteString(": ")
		b.WriteString(f.Problem)
	}
	if e.Err != nil && e.Code == CodeInternal {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a CodeInvalid error listing the problem per field.
func Invalid(fields ...FieldError) *Error {
	return &Error{Code: CodeInvalid, Message: "invalid input", Fields: fields}
}

// ErrorCode returns the code of err: its *Error's code, or CodeInternal for
// any other non-nil error, or "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// FieldErrors collects field problems while validating; Err returns nil when
// there are none. Validation reports every problem at once, so a user fixes
// a form in one pass.
type FieldErrors []FieldError

// Add records a problem with field.
func (fe *FieldErrors) Add(field, problem string) {
	*fe = append(*fe, FieldError{Field: field, Problem: problem})
}

// Err returns an Invalid error for the collected problems, or nil.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return Invalid(fe...)
}
