package web

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// The names under which the pages carry the CSRF token.
const (
	// LoginCookie holds the login form's nonce (signal.Accounts.LoginNonce)
	// before there is a session: the login form's token is its MAC, so a
	// login form posted from elsewhere, without the nonce's token, is
	// refused (login CSRF).
	LoginCookie = "__Host-signaal_login"
	// CSRFField is the hidden form field every page form carries, and
	// CSRFHeader the header scripts send.
	CSRFField  = "_csrf"
	CSRFHeader = "X-CSRF-Token"

	// ctxCSRF is where the middleware leaves the token for the page.
	ctxCSRF = "signaal.csrf"
)

// loginNonceTTL is how long a login form stays usable.
const loginNonceTTL = 12 * time.Hour

// sameOriginPages refuses a page POST that does not come from this origin,
// before any token is looked at: the browser says where a request comes
// from (Sec-Fetch-Site), and only "same-origin" (our own page) or "none"
// (typed by the user) pass. "same-site" is refused too: a page on a
// sibling subdomain or another port of the same host is not us. A browser
// without Fetch Metadata must send an Origin equal to this host's, when it
// sends one at all; with neither header the CSRF token alone decides.
func sameOriginPages(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if safeMethod(r.Method) {
			return next(c)
		}
		switch site := r.Header.Get("Sec-Fetch-Site"); site {
		case "same-origin", "none":
			return next(c)
		case "":
			if o := r.Header.Get("Origin"); o != "" && o != c.Scheme()+"://"+r.Host {
				return signal.Errorf(signal.CodeForbidden, "csrf")
			}
			return next(c)
		}
		return signal.Errorf(signal.CodeForbidden, "csrf")
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// sessionCSRF protects the forms of a logged-in page (after pageSession):
// every form carries the session's token (signal.Accounts.FormToken, a MAC
// of the session's id under a server key), masked anew for each response
// (maskToken), and every POST must bring it back, in the form field or the
// header. A token is good for its session
// only: a neighbouring site that sets cookies in the victim's browser
// cannot make one, and neither can another session's page.
func (s *Server) sessionCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess := CurrentSession(c)
		if sess == nil {
			// Only an unknown path under the group (a 404) gets here
			// without a session.
			return next(c)
		}
		if !safeMethod(c.Request().Method) && !s.users.FormTokenValid(sess.Claims.ID, postedCSRF(c)) {
			return signal.Errorf(signal.CodeForbidden, "csrf")
		}
		c.Set(ctxCSRF, maskToken(s.users.FormToken(sess.Claims.ID)))
		return next(c)
	}
}

// loginCSRF protects the login form before there is a session: the login
// page keeps a random nonce in a __Host- cookie of its own and puts the
// nonce's MAC in the form; the POST must bring both. A page elsewhere can
// fetch a login form for itself, but not for the victim's nonce; a
// sibling subdomain cannot set a __Host- cookie for this host.
func (s *Server) loginCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.needsHTTPS(c) {
			// The browser would not keep the cookie; the login page and
			// its post refuse with a message saying why.
			return next(c)
		}
		nonce := ""
		if ck, err := c.Cookie(LoginCookie); err == nil {
			nonce = ck.Value
		}
		if !safeMethod(c.Request().Method) {
			if !s.users.LoginFormTokenValid(nonce, postedCSRF(c)) {
				return signal.Errorf(signal.CodeForbidden, "csrf")
			}
		} else if len(nonce) < 24 {
			nonce = s.users.LoginNonce()
			ck := hostCookie(LoginCookie, nonce, time.Time{})
			ck.MaxAge = int(loginNonceTTL / time.Second) // the browser's clock, not ours
			c.SetCookie(ck)
		}
		c.Set(ctxCSRF, maskToken(s.users.LoginFormToken(nonce)))
		return next(c)
	}
}

// postedCSRF is the token a POST brings, the form field's else the
// header's, unmasked: pages carry it masked, with other bytes in every
// response (maskToken, compress.go).
func postedCSRF(c echo.Context) string {
	if v := c.Request().Header.Get(CSRFHeader); v != "" {
		return unmaskToken(v)
	}
	return unmaskToken(c.FormValue(CSRFField))
}

// hostCookie is a cookie with the __Host- prefix's rules: Secure, Path=/,
// no Domain, so only this host sets it and only over a secure context
// reads it; HttpOnly and SameSite=Strict besides. An empty value deletes
// it.
//
// Secure is always set. Browsers keep Secure cookies from https:// and
// from loopback (http://localhost, 127.0.0.1, [::1] are secure contexts),
// so the demo on http://127.0.0.1:8080 works. Over plain HTTP to any other
// host a browser drops them, and the login page says so (needsHTTPS)
// instead of looping: a session cookie would travel the network in the
// clear.
func hostCookie(name, value string, expires time.Time) *http.Cookie {
	ck := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, Expires: expires}
	if value == "" {
		ck.MaxAge = -1
		ck.Expires = time.Unix(0, 0)
	}
	return ck
}

// needsHTTPS reports whether the request reached us over plain HTTP at a
// host that is not loopback, with no sign of TLS in front of us
// (--secure-cookies, or a proxy's X-Forwarded-Proto: https): a browser
// would not keep the Secure session cookie.
func (s *Server) needsHTTPS(c echo.Context) bool {
	if s.secure || c.IsTLS() || c.Scheme() == "https" {
		return false
	}
	return !loopbackHost(c.Request().Host)
}

// loopbackHost: localhost, a name under .localhost, or a loopback address.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
