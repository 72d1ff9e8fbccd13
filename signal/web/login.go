package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// pageSession requires the session cookie for a page: a missing, expired or
// revoked session sends the browser to the login page, which comes back
// here afterwards. The checks are authenticate's.
func (s *Server) pageSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isNotFoundRoute(c) {
			return next(c)
		}
		ck, err := c.Cookie(CookieName)
		if err != nil || ck.Value == "" {
			return s.toLogin(c)
		}
		claims, err := s.verifier.Verify(c.Request().Context(), ck.Value)
		if err != nil {
			return s.toLogin(c)
		}
		u, err := s.users.SessionUser(c.Request().Context(), claims.Subject, claims.ID, claims.Gen)
		if signal.ErrorCode(err) == signal.CodeUnauthorized || signal.ErrorCode(err) == signal.CodeNotFound {
			return s.toLogin(c)
		}
		if err != nil {
			return err
		}
		c.Set(ctxSession, &Session{User: u, Claims: claims, Cookie: true})
		return next(c)
	}
}

// toLogin redirects to the login page; a GET comes back to where it was.
func (s *Server) toLogin(c echo.Context) error {
	next := "/"
	if c.Request().Method == http.MethodGet {
		next = sitePath(c.Request().URL.RequestURI())
	}
	return redirect(c, "/login?"+url.Values{"next": {next}}.Encode())
}

type loginData struct {
	Next  string
	Email string
	// Demo: demo mode, the page says the demo accounts need no second
	// factor. Again: a second step expired; the password is asked again.
	Demo, Again bool
	// NewPassword: a reset link was just used; log in with the new
	// password (and the second factor).
	NewPassword bool
	// SSO are the organisations whose people sign in through their own
	// issuer: a button each.
	SSO []signal.Organisation
}

// loginData is what every rendering of the login page shows.
func (s *Server) loginData(c echo.Context, next string) loginData {
	d := loginData{Next: next, Demo: s.users.DemoMode()}
	orgs, err := s.users.SSOOrganisations(c.Request().Context())
	if err != nil {
		s.logger.Warn("list sign-in organisations", slog.Any("err", err))
	}
	d.SSO = orgs
	return d
}

// loginPage: GET /login. Over plain HTTP at a host other than loopback
// the page says a secure connection is needed: the browser would not keep
// the session cookie (see hostCookie).
func (s *Server) loginPage(c echo.Context) error {
	next := sitePath(c.QueryParam("next"))
	if s.needsHTTPS(c) {
		v := s.view(c, "login.title", s.loginData(c, next))
		v.Errors = []FormError{{"email", v.T("login.https")}}
		return s.render(c, http.StatusOK, "login", v)
	}
	d := s.loginData(c, next)
	d.Again = c.QueryParam("again") == "1"
	d.NewPassword = c.QueryParam("nieuw") == "1"
	return s.Render(c, http.StatusOK, "login", "login.title", d)
}

// loginSubmit: POST /login (form). The same checks, rate limits and audit
// entries as the API's login; a wrong address or password re-renders the
// form with an error summary.
func (s *Server) loginSubmit(c echo.Context) error {
	next := sitePath(c.FormValue("next"))
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	d := s.loginData(c, next)
	d.Email = email
	v := s.view(c, "login.title", d)
	if s.needsHTTPS(c) {
		v.Errors = []FormError{{"email", v.T("login.https")}}
		return s.render(c, http.StatusForbidden, "login", v)
	}
	if email == "" {
		v.Errors = append(v.Errors, FormError{"email", v.T("login.email.required")})
	}
	if password == "" {
		v.Errors = append(v.Errors, FormError{"password", v.T("login.password.required")})
	}
	norm, err := signal.NormaliseEmail(email)
	if email != "" && err != nil {
		v.Errors = append(v.Errors, FormError{"email", v.T("login.email.invalid")})
	}
	if len(v.Errors) > 0 {
		return s.render(c, http.StatusBadRequest, "login", v)
	}
	res, err := s.checkLogin(c, norm, password)
	if err != nil {
		switch signal.ErrorCode(err) {
		case signal.CodeUnauthorized:
			v.Errors = []FormError{{"email", v.T("login.wrong")}}
			return s.render(c, http.StatusUnauthorized, "login", v)
		case signal.CodeTooMany:
			v.Errors = []FormError{{"email", v.T("login.toomany")}}
			return s.render(c, http.StatusTooManyRequests, "login", v)
		}
		return err
	}
	return s.afterPassword(c, res, next)
}

// logoutEverywhereSubmit: POST /logout/everywhere (form): every session
// of the account ends, as the API's.
func (s *Server) logoutEverywhereSubmit(c echo.Context) error {
	if err := s.endAllSessions(c); err != nil {
		return err
	}
	return redirect(c, "/login")
}

// logoutSubmit: POST /logout (form): the session is revoked and audited,
// as the API's logout.
func (s *Server) logoutSubmit(c echo.Context) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	return redirect(c, "/login")
}
