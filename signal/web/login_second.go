package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
	qrcode "github.com/skip2/go-qrcode"
)

// The second step of a login (issue 19, item 3). After a right password
// the browser holds the pending login (signal.LoginResult.Pending) in
// PendingCookie for signal.PendingLoginTTL and is sent to /login/code (an
// account with a second factor) or /login/instellen (one without: it
// enrols now, with a QR code, and sees its recovery codes once). Both
// forms are login forms: their CSRF token is bound to the login nonce.

// PendingCookie holds a login whose password was right and whose second
// factor is asked next.
const PendingCookie = "__Host-signaal_pending"

// RememberCookie marks a browser whose owner asked it to be remembered
// after a complete login: it logs in to that account without the second
// factor for the time set (signal.Accounts.RememberDevice).
const RememberCookie = "__Host-signaal_remember"

type codeData struct {
	Next     string
	Remember bool
	Days     int
}

type enrolData struct {
	codeData
	Secret string
	QR     template.HTML // an inline SVG: no image request, nothing outside the CSP
}

type recoveryData struct {
	Next  string
	Codes []string
}

// afterPassword sends the browser on after a right password: into the
// session when the login is complete, else to the second step.
func (s *Server) afterPassword(c echo.Context, res signal.LoginResult, next string) error {
	switch res.Next {
	case signal.LoginDone:
		if _, _, err := s.issueSession(c, res.User); err != nil {
			return err
		}
		s.endLoginForm(c)
		return redirect(c, next)
	case signal.LoginNeedsEnrolment, signal.LoginNeedsCode:
		ck := hostCookie(PendingCookie, res.Pending, time.Time{})
		ck.MaxAge = int(signal.PendingLoginTTL / time.Second)
		c.SetCookie(ck)
		page := "/login/code"
		if res.Next == signal.LoginNeedsEnrolment {
			page = "/login/instellen"
		}
		return redirect(c, page+"?"+url.Values{"next": {next}}.Encode())
	}
	return fmt.Errorf("login: unknown next step %d", res.Next)
}

func pendingLogin(c echo.Context) string {
	if ck, err := c.Cookie(PendingCookie); err == nil {
		return ck.Value
	}
	return ""
}

func (s *Server) rememberDays() int {
	return int(s.users.RememberFor() / (24 * time.Hour))
}

// codePage: GET /login/code, the second factor's code.
func (s *Server) codePage(c echo.Context) error {
	next := sitePath(c.QueryParam("next"))
	if _, ok := s.users.PendingUser(pendingLogin(c)); !ok {
		return s.toLoginAgain(c, next)
	}
	return s.Render(c, http.StatusOK, "login_code", "login.code.title", codeData{Next: next, Days: s.rememberDays()})
}

// codeSubmit: POST /login/code.
func (s *Server) codeSubmit(c echo.Context) error {
	next := sitePath(c.FormValue("next"))
	remember := c.FormValue("remember") == "1"
	v := s.view(c, "login.code.title", codeData{Next: next, Remember: remember, Days: s.rememberDays()})
	code := strings.TrimSpace(c.FormValue("code"))
	if code == "" {
		v.Errors = []FormError{{"code", v.T("login.code.required")}}
		return s.render(c, http.StatusBadRequest, "login_code", v)
	}
	pending := pendingLogin(c)
	if _, ok := s.users.PendingUser(pending); !ok {
		return s.toLoginAgain(c, next)
	}
	u, err := s.checkSecondFactor(c, pending, code)
	switch signal.ErrorCode(err) {
	case "":
	case signal.CodeUnauthorized:
		v.Errors = []FormError{{"code", v.T("login.code.wrong")}}
		return s.render(c, http.StatusUnauthorized, "login_code", v)
	case signal.CodeTooMany:
		v.Errors = []FormError{{"code", v.T("login.code.toomany")}}
		return s.render(c, http.StatusTooManyRequests, "login_code", v)
	default:
		return err
	}
	if err := s.completeSecondStep(c, u, remember); err != nil {
		return err
	}
	return redirect(c, next)
}

// completeSecondStep starts the session of a login completed by its
// second factor, forgets the pending login and, when asked, remembers the
// browser.
func (s *Server) completeSecondStep(c echo.Context, u signal.User, remember bool) error {
	c.SetCookie(hostCookie(PendingCookie, "", time.Time{}))
	if remember {
		token, exp := s.users.RememberDevice(u)
		c.SetCookie(hostCookie(RememberCookie, token, exp))
	}
	if _, _, err := s.issueSession(c, u); err != nil {
		return err
	}
	s.endLoginForm(c)
	return nil
}

// endLoginForm: the login form's nonce has done its work once the login is
// complete: a session's forms carry the session's token from now on, and
// the login forms this browser showed cannot be posted again (after a
// logout, a new one is made). Until then the second step's forms need it.
func (s *Server) endLoginForm(c echo.Context) {
	c.SetCookie(hostCookie(LoginCookie, "", time.Time{}))
}

// toLoginAgain: the pending login is gone (expired, or never there); the
// password is asked again.
func (s *Server) toLoginAgain(c echo.Context, next string) error {
	c.SetCookie(hostCookie(PendingCookie, "", time.Time{}))
	return redirect(c, "/login?"+url.Values{"next": {next}, "again": {"1"}}.Encode())
}

// enrolPage: GET /login/instellen, setting up the second factor: the QR
// code for the authenticator app, the secret as text, and the first code.
func (s *Server) enrolPage(c echo.Context) error {
	next := sitePath(c.QueryParam("next"))
	v, err := s.enrolView(c, next, false)
	if err != nil || v == nil {
		return err
	}
	return s.render(c, http.StatusOK, "login_enrol", v)
}

func (s *Server) enrolView(c echo.Context, next string, remember bool) (*View, error) {
	e, err := s.users.BeginEnrolment(c.Request().Context(), pendingLogin(c))
	switch signal.ErrorCode(err) {
	case "":
	case signal.CodeUnauthorized, signal.CodeConflict:
		return nil, s.toLoginAgain(c, next)
	default:
		return nil, err
	}
	qr, err := qrSVG(e.URI)
	if err != nil {
		return nil, err
	}
	return s.view(c, "login.enrol.title", enrolData{codeData: codeData{Next: next, Remember: remember, Days: s.rememberDays()},
		Secret: groupsOf4(e.Secret), QR: qr}), nil
}

// enrolSubmit: POST /login/instellen. The right first code completes the
// enrolment and the login; the recovery codes are shown once.
func (s *Server) enrolSubmit(c echo.Context) error {
	next := sitePath(c.FormValue("next"))
	remember := c.FormValue("remember") == "1"
	code := strings.TrimSpace(c.FormValue("code"))
	u, codes, err := s.users.ConfirmEnrolment(c.Request().Context(), signalActor(c), pendingLogin(c), code)
	switch signal.ErrorCode(err) {
	case "":
	case signal.CodeUnauthorized:
		v, verr := s.enrolView(c, next, remember)
		if verr != nil || v == nil {
			return verr
		}
		msg := "login.code.wrong"
		if code == "" {
			msg = "login.code.required"
		}
		v.Errors = []FormError{{"code", v.T(msg)}}
		return s.render(c, http.StatusUnauthorized, "login_enrol", v)
	case signal.CodeConflict:
		return s.toLoginAgain(c, next)
	default:
		return err
	}
	if err := s.completeSecondStep(c, u, remember); err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "login_recovery", "login.recovery.title", recoveryData{Next: next, Codes: codes})
}

// qrSVG draws the QR code of s as one SVG path of its dark modules.
func qrSVG(s string) (template.HTML, error) {
	q, err := qrcode.New(s, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("QR code: %w", err)
	}
	bits := q.Bitmap()
	var d strings.Builder
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&d, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	n := len(bits)
	// Only numbers go into the markup: nothing of s but its modules.
	return template.HTML(fmt.Sprintf(`<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="240" height="240" role="img" aria-labelledby="qr-title"><title id="qr-title">QR</title><rect width="%d" height="%d" fill="#fff"/><path d="%s" fill="#000"/></svg>`,
		n, n, n, n, d.String())), nil
}

// groupsOf4 writes a secret as "ABCD EFGH …", easier to type over.
func groupsOf4(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
