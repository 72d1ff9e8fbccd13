package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Compression and the side channel it opens (issue 15 item 8).
//
// Pages, JSON and the other text answers are gzip-compressed (a page is a
// fifth of its size on a slow phone connection). Compression next to a
// secret is what BREACH attacks: a page that reflects input the attacker
// chooses (a query parameter) beside a secret (the CSRF token, a young
// person's name) compresses shorter when the guess matches part of the
// secret, so an attacker who makes the victim's browser ask many times
// and watches the encrypted lengths on the network learns the secret a few
// characters at a time. Signaal closes that in two ways:
//
//  1. Only our own requests are compressed. The attacker needs the
//     victim's browser to send requests with the attacker's input and the
//     victim's cookies; such requests start on the attacker's page, and
//     the browser says so (Sec-Fetch-Site: cross-site or same-site), which
//     a page cannot forge. A response is compressed only when the browser
//     says the request came from our own pages or from the user
//     (same-origin, none), or when it carries no cookie at all (a program
//     with a bearer token, which no other site can make a browser send).
//     A browser that sends a cookie but no Fetch Metadata (older than
//     2021-2023) gets uncompressed answers. Cookies are SameSite=Strict
//     besides, so a cross-site request carries no session at all.
//  2. The CSRF token is masked per response (maskToken): every response
//     carries the token XOR a fresh random pad, with the pad beside it, so
//     the token's bytes differ on every response and a guess can never
//     match them; the server unmasks what a form posts before it checks it
//     (unmaskToken). The token itself, the secret, never appears in a
//     page.
//
// No length hiding (random padding) is added: with (1) no attacker-chosen
// request is compressed, and padding only slows the attack down.
//
// Static files keep their own precompressed copies (static.go,
// policywasm.go); they hold no secrets, so they are always compressed.

// compressMinLength: smaller answers are not worth the gzip header.
const compressMinLength = 1024

// compress gzips answers to requests that may be compressed
// (mayCompress); see above.
func compress() echo.MiddlewareFunc {
	return middleware.GzipWithConfig(middleware.GzipConfig{
		MinLength: compressMinLength,
		Skipper: func(c echo.Context) bool {
			switch c.Path() {
			case "/static/*", "/static/policy.wasm":
				return true // compressed once, at start (static.go)
			case "/metrics":
				// Prometheus's handler compresses on its own: a second
				// layer would reach the scraper still compressed.
				return true
			}
			// The answer depends on where the request came from.
			c.Response().Header().Add(echo.HeaderVary, "Sec-Fetch-Site")
			return !mayCompress(c)
		},
	})
}

// mayCompress reports whether the request cannot have been sent by
// another site's page with the victim's cookies: the browser says it came
// from our own pages or the user typed it, or it carries no cookie.
func mayCompress(c echo.Context) bool {
	r := c.Request()
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "":
		return r.Header.Get("Cookie") == ""
	}
	return false
}

// maskToken returns the CSRF token as a page carries it: a fresh random
// pad followed by the token XOR the pad, base64url. Every call gives other
// bytes, so no two responses hold the same token text (BREACH, above).
func maskToken(token string) string {
	if token == "" {
		return ""
	}
	b := make([]byte, 2*len(token))
	rand.Read(b[:len(token)])
	subtle.XORBytes(b[len(token):], []byte(token), b[:len(token)])
	return base64.RawURLEncoding.EncodeToString(b)
}

// unmaskToken returns the token a posted (masked) token stands for; "" for
// anything that is not a masked token, which no token check accepts.
func unmaskToken(masked string) string {
	b, err := base64.RawURLEncoding.DecodeString(masked)
	if err != nil || len(b) == 0 || len(b)%2 != 0 {
		return ""
	}
	n := len(b) / 2
	subtle.XORBytes(b[n:], b[n:], b[:n])
	return string(b[n:])
}
