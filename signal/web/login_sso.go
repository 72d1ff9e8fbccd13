package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// Sign-in through the organisation's OpenID Connect issuer (issue 19, item
// 2): /login/sso?org=<id> sends the browser to the issuer; the issuer sends
// it back to /login/sso/terug (the redirect URI to register there:
// https://<host>/login/sso/terug) with the state and a code.

// SSOCookie binds a sign-in begun in this browser to it (signal.SSOBinding
// of its state). SameSite=Lax, unlike every other cookie: the issuer's
// redirect back is a cross-site navigation, on which a Strict cookie is not
// sent. It holds no session and no secret, and lives SSOLoginTTL.
const SSOCookie = "__Host-signaal_sso"

// SSOCallbackPath is where the issuer sends the browser back.
const SSOCallbackPath = "/login/sso/terug"

// ssoRedirectURL is the redirect URI for the issuer: the configured
// public address's callback. Without one it is the request's own address,
// but only for a loopback host (the demo, tests): a Host header is the
// client's to choose, and an issuer that trusts a wildcard would send the
// code to whatever host it names. ok is false when there is no safe one.
func (s *Server) ssoRedirectURL(c echo.Context) (redirect string, ok bool) {
	if s.publicURL != "" {
		return s.publicURL + SSOCallbackPath, true
	}
	if !loopbackHost(c.Request().Host) {
		return "", false
	}
	return c.Scheme() + "://" + c.Request().Host + SSOCallbackPath, true
}

// ssoStart: GET /login/sso?org=<id>&next=<path>.
func (s *Server) ssoStart(c echo.Context) error {
	next := sitePath(c.QueryParam("next"))
	if s.needsHTTPS(c) {
		return s.loginPageError(c, http.StatusForbidden, next, "login.https")
	}
	redirect, ok := s.ssoRedirectURL(c)
	if !ok {
		s.logger.Warn("sign-in through an organisation needs the public address: start signald serve with --public-url", slog.String("request_id", requestID(c)))
		return s.loginPageError(c, http.StatusServiceUnavailable, next, "login.sso.unavailable")
	}
	state, authURL, err := s.users.BeginSSO(c.Request().Context(), c.QueryParam("org"), redirect, next)
	switch signal.ErrorCode(err) {
	case "":
	case signal.CodeNotFound:
		return s.loginPageError(c, http.StatusNotFound, next, "login.sso.unknown")
	case signal.CodeUnavailable:
		s.logger.Warn("sign-in through an organisation unavailable", slog.String("request_id", requestID(c)), slog.Any("err", err))
		return s.loginPageError(c, http.StatusServiceUnavailable, next, "login.sso.unavailable")
	default:
		return err
	}
	return toIssuer(c, state, authURL)
}

// toIssuer binds the sign-in begun with state to this browser (SSOCookie)
// and sends it to the issuer.
func toIssuer(c echo.Context, state, authURL string) error {
	ck := hostCookie(SSOCookie, signal.SSOBinding(state), time.Time{})
	ck.SameSite = http.SameSiteLaxMode
	ck.MaxAge = int(signal.SSOLoginTTL / time.Second)
	c.SetCookie(ck)
	// The one redirect to another site: the issuer's authorization
	// endpoint, from the organisation's settings, never from the request.
	return c.Redirect(http.StatusSeeOther, authURL)
}

// invitationSSO: GET /uitnodiging/:token/sso, the invitee accepts by
// signing in through their organisation (see signal.BeginInvitationSSO);
// the issuer sends them back to the same callback as a sign-in. A link,
// as /login/sso, not a form: the page's CSP (form-action 'self') keeps a
// form from being sent on to the issuer.
func (s *Server) invitationSSO(c echo.Context) error {
	if s.needsHTTPS(c) {
		return s.loginPageError(c, http.StatusForbidden, "/", "login.https")
	}
	redirect, ok := s.ssoRedirectURL(c)
	if !ok {
		s.logger.Warn("sign-in through an organisation needs the public address: start signald serve with --public-url", slog.String("request_id", requestID(c)))
		return s.loginPageError(c, http.StatusServiceUnavailable, "/", "login.sso.unavailable")
	}
	state, authURL, err := s.users.BeginInvitationSSO(c.Request().Context(), c.Param("token"), redirect)
	if signal.ErrorCode(err) == signal.CodeUnavailable {
		s.logger.Warn("sign-in through an organisation unavailable", slog.String("request_id", requestID(c)), slog.Any("err", err))
		return s.loginPageError(c, http.StatusServiceUnavailable, "/", "login.sso.unavailable")
	}
	if err != nil {
		return err
	}
	return toIssuer(c, state, authURL)
}

type ssoDoneData struct{ Next string }

// ssoCallback: GET /login/sso/terug?state=…&code=… (or error=…).
func (s *Server) ssoCallback(c echo.Context) error {
	state := c.QueryParam("state")
	bound := false
	if ck, err := c.Cookie(SSOCookie); err == nil && state != "" && ck.Value == signal.SSOBinding(state) {
		bound = true
	}
	clear := hostCookie(SSOCookie, "", time.Time{})
	clear.SameSite = http.SameSiteLaxMode
	c.SetCookie(clear)
	if s.needsHTTPS(c) {
		return s.loginPageError(c, http.StatusForbidden, "/", "login.https")
	}
	code := c.QueryParam("code")
	if !bound || code == "" {
		// Not begun in this browser, or the issuer said no (error=…):
		// the state is used up all the same, so it cannot be tried again.
		state = "unbound:" + state
	}
	u, next, err := s.users.FinishSSO(c.Request().Context(), signalActor(c), state, code)
	switch signal.ErrorCode(err) {
	case "":
	case signal.CodeUnauthorized:
		// The reason (no names: the issuer's errors name none) for the
		// operator; the browser and the audit learn no more than "refused".
		s.logger.Info("sign-in through an organisation refused", slog.String("request_id", requestID(c)), slog.String("reason", causes(err)))
		return s.loginPageError(c, http.StatusUnauthorized, "/", "login.sso.failed")
	case signal.CodeUnavailable:
		return s.loginPageError(c, http.StatusServiceUnavailable, "/", "login.sso.unavailable")
	default:
		return err
	}
	if _, _, err := s.issueSession(c, u); err != nil {
		return err
	}
	// A page of ours that goes on, not a redirect: the browser sends the
	// SameSite=Strict session cookie only on a navigation that starts
	// here, not on one that started at the issuer.
	return s.Render(c, http.StatusOK, "login_sso_done", "login.sso.done", ssoDoneData{Next: sitePath(next)})
}

// loginPageError shows the login page with one error.
func (s *Server) loginPageError(c echo.Context, status int, next, key string) error {
	v := s.view(c, "login.title", s.loginData(c, next))
	v.Errors = []FormError{{"email", v.T(key)}}
	return s.render(c, status, "login", v)
}

// causes writes err's chain below its message: what the user is not told.
func causes(err error) string {
	var b strings.Builder
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(e.Error())
		if se, ok := e.(*signal.Error); !ok || se.Err == nil {
			break
		}
	}
	return b.String()
}
