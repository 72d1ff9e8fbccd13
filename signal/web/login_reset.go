package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/signaal-nl/signaal/signal"
)

// A forgotten password (issue 19, item 3): "Wachtwoord vergeten?" on the
// login page leads to /login/vergeten, where the address is asked; the
// answer is the same whether or not it has an account, and the link comes
// by e-mail (signal.Accounts.RequestPasswordReset). The link,
// /wachtwoord/<token>, sets a new password once; then the login page,
// where the second factor is asked as always.

// resetThrottle limits reset requests per source address: five free,
// then a minute doubling to an hour between requests (a mailbox is not
// flooded from one place; the domain limits each account too).
var resetThrottle = LoginThrottle{Free: 5, First: time.Minute, Max: time.Hour}

type forgotData struct {
	Email string
	Sent  bool
}

// forgotPage: GET /login/vergeten.
func (s *Server) forgotPage(c echo.Context) error {
	return s.Render(c, http.StatusOK, "login_forgot", "login.forgot.title", forgotData{})
}

// forgotSubmit: POST /login/vergeten with email. A valid address always
// gets the same page ("if it has an account, a link is on its way").
func (s *Server) forgotSubmit(c echo.Context) error {
	email := strings.TrimSpace(c.FormValue("email"))
	v := s.view(c, "login.forgot.title", forgotData{Email: email})
	if s.needsHTTPS(c) {
		v.Errors = []FormError{{"email", v.T("login.https")}}
		return s.render(c, http.StatusForbidden, "login_forgot", v)
	}
	switch _, err := signal.NormaliseEmail(email); {
	case email == "":
		v.Errors = []FormError{{"email", v.T("login.email.required")}}
	case err != nil:
		v.Errors = []FormError{{"email", v.T("login.email.invalid")}}
	}
	if len(v.Errors) > 0 {
		return s.render(c, http.StatusBadRequest, "login_forgot", v)
	}
	done, _ := s.resets.admit(c.Request().Context(), c.RealIP(), s.now, 0)
	if done == nil {
		v.Errors = []FormError{{"email", v.T("login.forgot.toomany")}}
		return s.render(c, http.StatusTooManyRequests, "login_forgot", v)
	}
	// Every request counts against its source, whatever became of it.
	defer done(loginFailed)
	err := s.users.RequestPasswordReset(c.Request().Context(), signalActor(c), email)
	switch signal.ErrorCode(err) {
	case "":
	case signal.CodeUnavailable:
		v.Errors = []FormError{{"email", v.T("login.forgot.nomail")}}
		return s.render(c, http.StatusServiceUnavailable, "login_forgot", v)
	default:
		return err
	}
	v.Data = forgotData{Sent: true}
	return s.render(c, http.StatusOK, "login_forgot", v)
}

type resetData struct {
	Email string
	Token string
}

// resetPage: GET /wachtwoord/:token, the link from the e-mail.
func (s *Server) resetPage(c echo.Context) error {
	u, err := s.users.PasswordResetFor(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "login_reset", "login.reset.title", resetData{Email: u.Email, Token: c.Param("token")})
}

// resetSubmit: POST /wachtwoord/:token with password and password_again:
// the new password; every session of the account ends; then the login
// page (password, then the second factor).
func (s *Server) resetSubmit(c echo.Context) error {
	pw, again := c.FormValue("password"), c.FormValue("password_again")
	u, err := s.users.PasswordResetFor(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	v := s.view(c, "login.reset.title", resetData{Email: u.Email, Token: c.Param("token")})
	if pw != again {
		v.Errors = []FormError{{Field: "password_again", Message: v.T("invite.mismatch")}}
		return s.render(c, http.StatusBadRequest, "login_reset", v)
	}
	if _, err := s.users.ResetPassword(c.Request().Context(), signalActor(c), c.Param("token"), pw); err != nil {
		if signal.ErrorCode(err) == signal.CodeInvalid {
			v.Errors = []FormError{{Field: "password", Message: v.T("invite.weak")}}
			return s.render(c, http.StatusBadRequest, "login_reset", v)
		}
		return err
	}
	return redirect(c, "/login?nieuw=1")
}
