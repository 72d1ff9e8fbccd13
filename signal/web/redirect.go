package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// redirect answers 303 See Other to target, which must be a path on this
// site (sitePath); anything else goes to the start page. Every redirect of
// the pages goes through here, those built from a request's values (the
// language switch's and the login's next, a form's back) and those built
// from ids alike, so none can send a browser to another site.
func redirect(c echo.Context, target string) error {
	return c.Redirect(http.StatusSeeOther, sitePath(target))
}

// sitePath returns p when it is a path on this site (with an optional
// query and fragment), else "/". A redirect target from a request must not
// send the user elsewhere (open redirect), and browsers are generous in what
// they read as another host: they drop tabs and line breaks from a URL
// ("/\t/evil" is "//evil"), read a backslash as a slash ("/\evil"), and
// some servers and proxies decode "%2f" before routing. So p is refused
// when, raw or percent-decoded (as often as it decodes, so "%252f" counts
// as "/"),
//   - it does not start with a single "/" (no scheme, no host, no
//     protocol-relative "//" or "/\"),
//   - it holds a backslash, a control character, white space or anything
//     outside printable ASCII (Signaal's own paths are ASCII; a letter of
//     another script is percent-encoded and is refused once decoded, which
//     only costs the user a trip to the start page),
//   - it holds a malformed escape,
//   - or it does not parse as a URL without scheme, user and host.
func sitePath(p string) string {
	if isSitePath(p) {
		return p
	}
	return "/"
}

func isSitePath(p string) bool {
	if len(p) > 2048 {
		return false
	}
	s := p
	// Decode until nothing changes; a value still changing after a few
	// rounds is nobody's honest path.
	for range 4 {
		if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, `/\`) || !plainASCII(s) {
			return false
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return false
		}
		if d == s {
			u, err := url.Parse(p)
			return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == ""
		}
		s = d
	}
	return false
}

// plainASCII: printable ASCII without space or backslash.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b <= ' ' || b >= 0x7f || b == '\\' {
			return false
		}
	}
	return true
}
