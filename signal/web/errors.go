package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// errorBody is the JSON shape of every error the API answers:
// {"error": {"code": "invalid", "message": "…", "fields": [{"field": "…", "problem": "…"}]}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string              `json:"code"`
	Message   string              `json:"message"`
	Fields    []signal.FieldError `json:"fields,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
}

// statusOf is the one place where a domain error code becomes an HTTP status.
func statusOf(code signal.Code) int {
	switch code {
	case signal.CodeInvalid:
		return http.StatusBadRequest
	case signal.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case signal.CodeUnauthorized:
		return http.StatusUnauthorized
	case signal.CodeForbidden:
		return http.StatusForbidden
	case signal.CodeNotFound:
		return http.StatusNotFound
	case signal.CodeConflict:
		return http.StatusConflict
	case signal.CodeTooMany:
		return http.StatusTooManyRequests
	case signal.CodeUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// codeOfStatus maps Echo's own errors (router, body limit) into the same
// vocabulary. 405 has no domain code: it is a property of HTTP, not of
// Signaal, so it keeps a wire code of its own.
func codeOfStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return string(signal.CodeInvalid)
	case http.StatusRequestEntityTooLarge:
		return string(signal.CodeTooLarge)
	case http.StatusUnauthorized:
		return string(signal.CodeUnauthorized)
	case http.StatusForbidden:
		return string(signal.CodeForbidden)
	case http.StatusNotFound:
		return string(signal.CodeNotFound)
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusConflict:
		return string(signal.CodeConflict)
	case http.StatusTooManyRequests:
		return string(signal.CodeTooMany)
	case http.StatusServiceUnavailable:
		return string(signal.CodeUnavailable)
	default:
		return string(signal.CodeInternal)
	}
}

// handleError is Echo's HTTPErrorHandler: every error, ours or Echo's,
// becomes the same JSON body. Internal errors are logged with the request id
// and answered with that id only: causes never reach the client.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	rid := requestID(c)
	var (
		status int
		body   errorBody
		se     *signal.Error
		he     *echo.HTTPError
	)
	switch {
	case errors.As(err, &se):
		status = statusOf(se.Code)
		body.Error = errorDetail{Code: string(se.Code), Message: se.Message, Fields: se.Fields}
		if se.Code == signal.CodeInternal {
			body.Error.Message = "internal error"
		}
	case errors.Is(err, echo.ErrStatusRequestEntityTooLarge):
		status = http.StatusRequestEntityTooLarge
		body.Error = errorDetail{Code: string(signal.CodeTooLarge), Message: tooLargeMessage(s.bodyLimit)}
	case errors.As(err, &he):
		status = he.Code
		body.Error = errorDetail{Code: codeOfStatus(status), Message: http.StatusText(status)}
		if status == http.StatusNotFound {
			body.Error.Message = "no such resource: see /api/v1/openapi.yaml"
		}
	default:
		status = http.StatusInternalServerError
		body.Error = errorDetail{Code: string(signal.CodeInternal), Message: "internal error"}
	}
	if status >= 500 {
		body.Error.RequestID = rid
		// The error text comes from our own wrapping and SQLite; it never
		// holds request bodies, so it is safe to log.
		s.logger.Error("request failed", slog.String("request_id", rid), slog.String("route", c.Path()), slog.Any("err", err))
	}
	switch status {
	case http.StatusUnauthorized:
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="signaal"`)
	case http.StatusTooManyRequests:
		if se != nil && se.Err != nil {
			var ra retryAfter
			if errors.As(se.Err, &ra) {
				c.Response().Header().Set("Retry-After", strconv.Itoa(int(ra)))
			}
		}
	}
	if isPageRequest(c) && c.Request().Method != http.MethodHead {
		s.renderError(c, status, signal.Code(body.Error.Code), body.Error.RequestID)
		return
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, body)
	}
	if err != nil {
		s.logger.Error("write error response", slog.String("request_id", rid), slog.Any("err", err))
	}
}

// retryAfter carries the seconds a rate-limited client should wait; it rides
// in a signal.Error's Err so the error handler can set Retry-After.
type retryAfter int

func (r retryAfter) Error() string { return "retry after " + strconv.Itoa(int(r)) + "s" }

func tooLargeMessage(limit int64) string {
	return "the request body is larger than " + strconv.FormatInt(limit/1024, 10) + " KB"
}
