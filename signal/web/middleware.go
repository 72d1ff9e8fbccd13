package web

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

const (
	ctxRequestID       = "signaal.request_id"
	ctxClientRequestID = "signaal.client_request_id"
)

// validRequestID accepts a caller's X-Request-ID only when it is short and
// plain, so it cannot smuggle content into logs and audit entries.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestIDs gives every request an id of the server's own making, answered
// as X-Request-ID, logged and audited: a caller cannot choose what the
// audit log says about its request (and so cannot make two requests look
// like one, or pose as another's). A caller's own plain X-Request-ID is
// kept beside it, marked as the caller's (clientRequestID), so the caller
// can still find its request in the log.
func (s *Server) requestIDs(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		b := make([]byte, 12)
		rand.Read(b)
		id := hex.EncodeToString(b)
		c.Set(ctxRequestID, id)
		if cid := c.Request().Header.Get(echo.HeaderXRequestID); validRequestID.MatchString(cid) {
			c.Set(ctxClientRequestID, cid)
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// requestID is the server's id of the request.
func requestID(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

// clientRequestID is the caller's own X-Request-ID, "" when it sent none
// (or one that was not plain).
func clientRequestID(c echo.Context) string {
	id, _ := c.Get(ctxClientRequestID).(string)
	return id
}

// auditRequestID is the request id an audit entry records: the server's,
// followed by the caller's own marked "+client:" when it sent one
// ("3f2a…+client:abc-123").
func auditRequestID(c echo.Context) string {
	if cid := clientRequestID(c); cid != "" {
		return requestID(c) + "+client:" + cid
	}
	return requestID(c)
}

// observe logs one line per request and counts it. It logs the route
// pattern, never the URL, the query or the body: those can hold a young
// person's name.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err) // write the error response now, to log its status
		}
		d := time.Since(start)
		route := c.Path()
		if route == "" || isNotFoundRoute(c) {
			route = "unmatched"
		}
		status := c.Response().Status
		s.metrics.observe(c.Request().Method, route, status, d)
		attrs := []slog.Attr{
			slog.String("method", c.Request().Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(d.Microseconds())/1000),
			slog.String("request_id", requestID(c)),
		}
		if cid := clientRequestID(c); cid != "" {
			attrs = append(attrs, slog.String("client_request_id", cid))
		}
		if sess, ok := c.Get(ctxSession).(*Session); ok {
			attrs = append(attrs, slog.String("user_id", sess.User.ID))
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		s.logger.LogAttrs(c.Request().Context(), level, "request", attrs...)
		return nil
	}
}

// securityHeaders: a strict CSP without inline script, no framing, no
// sniffing, no referrer (URLs carry signal ids), HSTS on TLS, and no caching
// of responses that hold personal data on shared phones or proxies:
// no-store unless the answer says otherwise (static files, the service
// worker, the manifest, and the pages of backForwardPages).
//
// no-store also keeps a page out of the browser's back-forward cache, so
// after logout Back cannot show a page again from memory. That is wanted
// for every page with a young person's data, a user's name or a secret;
// page by page (issue 15 item 8):
//   - offline (/offline, and what the service worker shows offline): no
//     user, no token, no data. Back-forward cache allowed.
//   - login, login_code, login_enrol, login_recovery, login_forgot,
//     login_reset, invitation, login_sso_done: no user's data yet, but a
//     form token (a secret, bound to the browser's login nonce, which a
//     login ends: a page restored after login would post a dead token) and
//     what was typed. no-store.
//   - error: may show the logged-in user's name. no-store.
//   - every page after login (home, signal, signal_form, signal_question,
//     signal_summary, start, notices, meeting_*, privacy_*, youth_report,
//     admin_*): the user's name, the session's form token and mostly a
//     young person's data. no-store. The reporter's empty new-signal form
//     (/signalen/nieuw?shell=1) too: it holds the reporter's name and
//     account tag; the service worker keeps it per account instead, and
//     app.js removes it at logout.
//   - the API (JSON): no-store.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		if c.IsTLS() {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return next(c)
	}
}

// backForwardPages are the pages the browser may keep in its back-forward
// cache (Cache-Control: private, no-cache: kept, but checked with the
// server before it is used again from the HTTP cache), when rendered
// without a user and without a form token; see securityHeaders for the
// choice page by page.
var backForwardPages = map[string]bool{"offline": true}

// limitBody refuses a declared Content-Length over the limit at once, and
// cuts off a longer body while it is read (Decode then answers 413).
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.ContentLength > s.bodyLimit {
			return &signal.Error{Code: signal.CodeTooLarge, Message: tooLargeMessage(s.bodyLimit)}
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, s.bodyLimit)
		return next(c)
	}
}
