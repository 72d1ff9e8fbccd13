package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/signaal-nl/signaal/signal"
)

// The names under which the pages carry the CSRF token.
const (
	// CSRFCookie holds the double-submit token for browsers that send no
	// Fetch Metadata (Sec-Fetch-Site); modern browsers are checked by that
	// header alone.
	CSRFCookie = "signaal_csrf"
	// CSRFField is the hidden form field every page form carries, and
	// CSRFHeader the header scripts send.
	CSRFField  = "_csrf"
	CSRFHeader = "X-CSRF-Token"

	// ctxCSRF is where the middleware leaves the token for the page.
	ctxCSRF = "signaal.csrf"
)

// sameOriginPages refuses a page POST that does not come from this origin,
// before any token is looked at: the browser says where a request comes
// from (Sec-Fetch-Site), and only "same-origin" (our own page) or "none"
// (typed by the user) pass. "same-site" is refused too: a page on a
// sibling subdomain or another port of the same host is not us, and could
// set a cookie of its own for a double-submit token. A browser without
// Fetch Metadata must send an Origin equal to this host's, when it sends
// one at all; with neither header the CSRF token alone decides.
func sameOriginPages(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
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

// csrf protects the page forms: Echo's CSRF middleware checks Fetch
// Metadata (Sec-Fetch-Site must be same-origin for a POST), and for a
// browser without it a double-submit token (cookie and form field). The
// session cookie is SameSite=Strict besides.
func (s *Server) csrf() echo.MiddlewareFunc {
	mw := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:" + CSRFField + ",header:" + CSRFHeader,
		ContextKey:     ctxCSRF,
		CookieName:     CSRFCookie,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   s.secure,
		CookieSameSite: http.SameSiteStrictMode,
		CookieMaxAge:   12 * 3600,
		ErrorHandler: func(err error, c echo.Context) error {
			return signal.Errorf(signal.CodeForbidden, "csrf")
		},
	})
	return mw
}
