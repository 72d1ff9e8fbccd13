package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// Decode reads the request body as exactly one JSON value into v, strictly:
// the Content-Type must be JSON, unknown fields are refused, and a wrong type
// names the field. Every problem is a *signal.Error (CodeInvalid with field
// paths in the wire spelling, or CodeTooLarge), so handlers return it as is.
func Decode(c echo.Context, v any) error {
	req := c.Request()
	if ct := req.Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return signal.Invalid(signal.FieldError{Field: "Content-Type", Problem: "must be application/json"})
		}
	}
	dec := json.NewDecoder(req.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if isTooLarge(err) {
			return decodeError(err)
		}
		return signal.Invalid(signal.FieldError{Field: "body", Problem: "must hold exactly one JSON value"})
	}
	return nil
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.Is(err, echo.ErrStatusRequestEntityTooLarge) || errors.As(err, &mbe)
}

func decodeError(err error) error {
	var (
		se  *signal.Error
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case isTooLarge(err):
		msg := "the request body is too large"
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			msg = tooLargeMessage(mbe.Limit)
		}
		return &signal.Error{Code: signal.CodeTooLarge, Message: msg}
	case errors.As(err, &se):
		return se // a type's UnmarshalJSON validated its own value
	case errors.Is(err, io.EOF):
		return signal.Invalid(signal.FieldError{Field: "body", Problem: "required: a JSON object"})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return signal.Invalid(signal.FieldError{Field: "body", Problem: "malformed JSON: it ends too early"})
	case errors.As(err, &syn):
		return signal.Invalid(signal.FieldError{Field: "body", Problem: fmt.Sprintf("malformed JSON at byte %d", syn.Offset)})
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return signal.Invalid(signal.FieldError{Field: field, Problem: fmt.Sprintf("must be %s, not %s", jsonKind(typ.Type), typ.Value)})
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return signal.Invalid(signal.FieldError{Field: strings.Trim(name, `"`), Problem: "unknown field"})
	}
	return signal.Invalid(signal.FieldError{Field: "body", Problem: "not acceptable JSON"})
}

// jsonKind names the JSON a Go type expects, for a person reading the error.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a " + t.String()
}
