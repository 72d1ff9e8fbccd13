package signal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// Form tokens guard the web pages' forms against cross-site request
// forgery. A token is a MAC, under a key derived from the accounts' login
// key (so stable across restarts and known only to the server), of what the
// form is bound to:
//   - after login, the session (the session token's id): a page of one
//     session cannot post for another, and nobody who cannot read the
//     session cookie can compute it;
//   - before login, a random login nonce the login page keeps in a cookie
//     of its own (LoginNonce), so a login form posted from elsewhere, which
//     lacks the nonce's MAC, is refused (login CSRF).
//
// Unlike a double-submit cookie, a neighbouring site that sets a cookie of
// its choosing in the victim's browser gains nothing: it cannot make the
// MAC.

// FormToken returns the form token of a session (its session token's id).
//
// Callers: the web pages, for every form of a logged-in page.
func (a *Accounts) FormToken(sessionID string) string {
	return a.formMAC("session", sessionID)
}

// FormTokenValid reports whether token is the form token of the session.
//
// Callers: the web pages, on every form post of a logged-in page.
func (a *Accounts) FormTokenValid(sessionID, token string) bool {
	return sessionID != "" && hmac.Equal([]byte(token), []byte(a.FormToken(sessionID)))
}

// LoginNonce returns a new random nonce for a browser's login form; the
// login page keeps it in a cookie and puts LoginFormToken(nonce) in the
// form.
//
// Callers: the login page.
func (a *Accounts) LoginNonce() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// LoginFormToken returns the login form's token for a login nonce.
//
// Callers: the login page.
func (a *Accounts) LoginFormToken(nonce string) string {
	return a.formMAC("login", nonce)
}

// LoginFormTokenValid reports whether token is the login form's token for
// the nonce (a nonce shorter than LoginNonce's never is).
//
// Callers: the login page's post.
func (a *Accounts) LoginFormTokenValid(nonce, token string) bool {
	return len(nonce) >= 24 && hmac.Equal([]byte(token), []byte(a.LoginFormToken(nonce)))
}

func (a *Accounts) formMAC(kind, binding string) string {
	k := hmac.New(sha256.New, a.loginKey)
	k.Write([]byte("signaal form token v1"))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}
