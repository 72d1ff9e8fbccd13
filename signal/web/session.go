package web

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/auth"
)

// CookieName is the session cookie the web pages use; it holds the same
// token the API returns at login. The __Host- prefix makes the browser
// refuse it unless it is Secure, Path=/ and without Domain: a sibling
// subdomain cannot set or overwrite it (see hostCookie).
const CookieName = "__Host-signaal_session"

// DeviceCookie marks a browser that logged in to an account as a known
// device of it (signal.Accounts.DeviceToken), for the login throttle.
const DeviceCookie = "__Host-signaal_device"

const ctxSession = "signaal.session"

// Session is the authenticated caller of a request: the account as it is
// now (role and organisation from the database, not from the token) and the
// token's claims.
type Session struct {
	User   signal.User
	Claims auth.Claims
	Cookie bool // authenticated by the session cookie rather than a bearer token
}

// CurrentUser returns the authenticated user of the request; ok is false on
// routes without the auth middleware.
func CurrentUser(c echo.Context) (signal.User, bool) {
	s, ok := c.Get(ctxSession).(*Session)
	if !ok {
		return signal.User{}, false
	}
	return s.User, true
}

// CurrentSession returns the request's session, or nil.
func CurrentSession(c echo.Context) *Session {
	s, _ := c.Get(ctxSession).(*Session)
	return s
}

// authenticate requires a valid token (Authorization: Bearer, or the
// session cookie) of an enabled account whose session was not ended, and
// puts the Session in the context. Anything else is 401 with one message
// (signal.ErrNoSession): the client learns nothing about which check
// failed.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isNotFoundRoute(c) {
			// Echo gives a group with middleware a catch-all route; an
			// unknown path under it is a 404, whoever asks.
			return next(c)
		}
		token, fromCookie := bearerToken(c.Request())
		if token == "" {
			return signal.ErrNoSession
		}
		claims, err := s.verifier.Verify(c.Request().Context(), token)
		if err != nil {
			s.logger.Debug("token refused", slog.String("request_id", requestID(c)), slog.Any("err", err))
			return signal.ErrNoSession
		}
		if fromCookie && !sameOriginRequest(c.Request()) {
			// The cookie is SameSite=Strict; this also refuses a request from
			// a sibling site (same-site, other origin) riding on it.
			return signal.Errorf(signal.CodeForbidden, "a cross-site request cannot use the session cookie")
		}
		u, err := s.users.SessionUser(c.Request().Context(), claims.Subject, claims.ID, claims.Gen)
		if err != nil {
			return err
		}
		c.Set(ctxSession, &Session{User: u, Claims: claims, Cookie: fromCookie})
		return next(c)
	}
}

// isNotFoundRoute reports whether the request matched no route of ours but
// only a group's catch-all (the API has no wildcard routes of its own).
func isNotFoundRoute(c echo.Context) bool {
	return strings.HasSuffix(c.Path(), "*")
}

func bearerToken(r *http.Request) (token string, fromCookie bool) {
	if h := r.Header.Get(echo.HeaderAuthorization); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok), false
		}
		return "", false
	}
	if ck, err := r.Cookie(CookieName); err == nil {
		return ck.Value, true
	}
	return "", false
}

// sameOriginRequest: safe methods always pass; an unsafe one authenticated
// by cookie must come from our own pages (Fetch Metadata; browsers without
// it rely on SameSite=Strict alone).
func sameOriginRequest(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	site := r.Header.Get("Sec-Fetch-Site")
	return site == "" || site == "same-origin" || site == "none"
}

// RequireRole lets only the given roles through (after authenticate); any
// other role gets 403 and a signal.ActionAccessDenied audit entry, so a privacy
// officer sees who tried what.
func (s *Server) RequireRole(roles ...signal.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u, ok := CurrentUser(c)
			if !ok {
				return signal.ErrNoSession
			}
			if slices.Contains(roles, u.Role) {
				return next(c)
			}
			return s.users.Refuse(c.Request().Context(), signalActor(c), "route"+c.Path())
		}
	}
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// Code is the second factor: the authenticator app's current code,
	// or one of the account's recovery codes.
	Code string `json:"code"`
}

type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// login checks an email address and password and answers a session token,
// also set as an HttpOnly cookie for the web pages. Failed attempts are
// rate-limited per account and per client address; both outcomes are
// audited, an unknown address under a keyed pseudonym only.
func (s *Server) login(c echo.Context) error {
	var req loginRequest
	if err := Decode(c, &req); err != nil {
		return err
	}
	var fe signal.FieldErrors
	email, emailErr := signal.NormaliseEmail(req.Email)
	switch {
	case strings.TrimSpace(req.Email) == "":
		fe.Add("email", "required")
	case emailErr != nil:
		fe.Add("email", "not a valid email address")
	}
	if req.Password == "" {
		fe.Add("password", "required")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	res, err := s.checkLogin(c, email, req.Password)
	if err != nil {
		return err
	}
	u := res.User
	switch res.Next {
	case signal.LoginNeedsEnrolment:
		return signal.ErrEnrolFirst
	case signal.LoginNeedsCode:
		if strings.TrimSpace(req.Code) == "" {
			return signal.ErrSecondFactorNeeded
		}
		if u, err = s.checkSecondFactor(c, res.Pending, req.Code); err != nil {
			return err
		}
	}
	token, exp, err := s.issueSession(c, u)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, loginResponse{Token: token, ExpiresAt: exp.UTC()})
}

// issueSession starts the session of u, whose login is complete and on
// record: the token is signed, set as the session cookie and returned.
func (s *Server) issueSession(c echo.Context, u signal.User) (string, time.Time, error) {
	token, claims, err := s.issuer.Issue(u.ID, string(u.Role), u.OrgID, u.SessionGen)
	if err != nil {
		return "", time.Time{}, err
	}
	c.SetCookie(s.sessionCookie(c, token, claims.ExpiresAt.Time))
	return token, claims.ExpiresAt.Time, nil
}

// checkLogin checks a normalised email address and a password, the one
// password step of the API and the login page: failed attempts are
// rate-limited per account and per client address, both outcomes are
// audited (an unknown address under a keyed pseudonym only). A right
// password marks the browser a known device of the account (for the
// throttle) and answers what comes next (signal.LoginResult): the session
// itself is the caller's, once the login is complete.
func (s *Server) checkLogin(c echo.Context, email, password string) (signal.LoginResult, error) {
	ctx := c.Request().Context()
	ref := s.users.LoginRef(email)
	// A browser that logged in to this account before is counted on its
	// own; anyone else per account and address, and per address across
	// accounts. Guessing from elsewhere never slows the owner's device.
	type key struct {
		t   *throttle
		key string
	}
	keys := []key{{s.accounts, "source " + ref + " " + c.RealIP()}, {s.sources, c.RealIP()}}
	if ck, err := c.Cookie(DeviceCookie); err == nil {
		if dev, ok := s.users.KnownDevice(ck.Value, email); ok {
			keys = []key{{s.accounts, "device " + ref + " " + dev}}
		}
	}
	var dones []func(outcome)
	end := func(o outcome) {
		for _, d := range dones {
			d(o)
		}
	}
	for _, k := range keys {
		done, wait := k.t.admit(ctx, k.key, s.now, s.loginHold)
		if done == nil {
			end(loginUnchecked)
			s.logger.Warn("login throttled", slog.String("request_id", requestID(c)))
			// No audit entry, no answer: a throttled attempt is on record too.
			if err := s.users.LoginThrottled(ctx, signalActor(c), email); err != nil {
				return signal.LoginResult{}, err
			}
			return signal.LoginResult{}, tooMany(wait)
		}
		dones = append(dones, done)
	}
	remembered := ""
	if ck, err := c.Cookie(RememberCookie); err == nil {
		remembered = ck.Value
	}
	// The login (or its password step) is on record once Login returns:
	// no audit entry, no session.
	res, err := s.users.Login(ctx, signalActor(c), email, password, remembered)
	switch {
	case signal.ErrorCode(err) == signal.CodeUnauthorized:
		end(loginFailed)
		return signal.LoginResult{}, err
	case err != nil:
		end(loginUnchecked)
		return signal.LoginResult{}, err
	}
	end(loginOK)
	dev, devExp := s.users.DeviceToken(email)
	c.SetCookie(hostCookie(DeviceCookie, dev, devExp))
	return res, nil
}

func tooMany(wait time.Duration) error {
	return &signal.Error{Code: signal.CodeTooMany, Message: "too many failed logins; try again later",
		Err: retryAfter(int((wait + time.Second - 1) / time.Second))}
}

// checkSecondFactor completes a pending login with a code, throttled per
// account like passwords are (a wrong code is a failure), so nobody who
// learnt a password can try all codes.
func (s *Server) checkSecondFactor(c echo.Context, pending, code string) (signal.User, error) {
	ctx := c.Request().Context()
	userID, ok := s.users.PendingUser(pending)
	if !ok {
		return signal.User{}, signal.ErrSecondFactorWrong
	}
	done, wait := s.accounts.admit(ctx, "second "+userID, s.now, s.loginHold)
	if done == nil {
		s.logger.Warn("second factor throttled", slog.String("request_id", requestID(c)))
		return signal.User{}, tooMany(wait)
	}
	u, err := s.users.LoginSecondFactor(ctx, signalActor(c), pending, code)
	switch {
	case signal.ErrorCode(err) == signal.CodeUnauthorized:
		done(loginFailed)
	case err != nil:
		done(loginUnchecked)
	default:
		done(loginOK)
	}
	return u, err
}

// sessionCookie: HttpOnly (scripts cannot read it), SameSite=Strict (no
// cross-site request carries it; Lax would let a link from elsewhere open a
// page logged in, which Signaal does not need and which widens CSRF), and
// a __Host- cookie, so always Secure (see hostCookie). An empty token
// deletes it.
func (s *Server) sessionCookie(c echo.Context, token string, exp time.Time) *http.Cookie {
	return hostCookie(CookieName, token, exp)
}

// logout ends the session: its token is revoked until it expires, the
// cookie is cleared, and signal.ActionLogout is audited.
func (s *Server) logout(c echo.Context) error {
	if err := s.endSession(c); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// logoutEverywhere ends every session of the caller's account, on every
// device, and clears the cookie; signal.ActionLogoutEverywhere is audited.
func (s *Server) logoutEverywhere(c echo.Context) error {
	if err := s.endAllSessions(c); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) endAllSessions(c echo.Context) error {
	if err := s.users.LogoutEverywhere(c.Request().Context(), signalActor(c)); err != nil {
		return err
	}
	c.SetCookie(s.sessionCookie(c, "", time.Time{}))
	return nil
}

// endSession revokes the request's session token, audits signal.ActionLogout and
// clears the cookie: the API's logout and the logout button.
func (s *Server) endSession(c echo.Context) error {
	sess := CurrentSession(c)
	if err := s.users.Logout(c.Request().Context(), signalActor(c), sess.Claims.ID, sess.Claims.ExpiresAt.Time); err != nil {
		return err
	}
	c.SetCookie(s.sessionCookie(c, "", time.Time{}))
	return nil
}

type meResponse struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	Organisation orgJSON   `json:"organisation"`
	Cooperation  coopJSON  `json:"cooperation"`
	ExpiresAt    time.Time `json:"expires_at"`
}

type orgJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type coopJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	MeetingID   string `json:"meeting_id"`
	MeetingName string `json:"meeting_name"`
}

// me answers who the caller is: account, organisation, cooperation, and
// when the session ends.
func (s *Server) me(c echo.Context) error {
	sess := CurrentSession(c)
	o, co, err := s.users.Membership(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, meResponse{
		ID: sess.User.ID, Email: sess.User.Email, Name: sess.User.Name, Role: string(sess.User.Role),
		Organisation: orgJSON{ID: o.ID, Name: o.Name, Kind: string(o.Kind)},
		Cooperation:  coopJSON{ID: co.ID, Name: co.Name, MeetingID: co.Meeting.ID, MeetingName: co.Meeting.Name},
		ExpiresAt:    sess.Claims.ExpiresAt.Time.UTC(),
	})
}
