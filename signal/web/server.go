// Package web is Signaal's HTTP API (Echo v4): authentication, the signals
// endpoints, health, readiness, metrics and the OpenAPI description. Domain
// errors become HTTP statuses in one place (handleError); request bodies are
// decoded strictly (Decode); the current user comes from the auth middleware
// (CurrentUser).
package web

import (
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/auth"
	"github.com/signaal-nl/signaal/signal/health"
)

// Deps are what the server needs: the services (signal/app builds them
// with the rest of the application) and the web layer's own settings.
// Services.Accounts, Issuer and Verifier are required.
type Deps struct {
	// Services are the use cases: Accounts logs in and out and says who a
	// session is; a nil Signals, Meetings or Privacy answers 503 on its
	// routes.
	signal.Services
	Issuer   *auth.Issuer   // signs session tokens at login
	Verifier *auth.Verifier // checks bearer tokens and session cookies
	// ReasonTexts are the policy's sentences per reason code
	// (*policy.Engine.ReasonTexts): the log keeps the codes, the review
	// shows the sentences beside them.
	ReasonTexts map[string]signal.Text
	// Questions is the policy's question catalogue (policy.Engine.Questions)
	// the signal form asks from; nil falls back to Signals.Questions.
	Questions []signal.Question
	// PolicyWasm returns the policy compiled to WebAssembly and its
	// policy_version (app.App.PolicyWasm): the signal form decides with it
	// on the phone, offline (issue 15). Called on the first request for it;
	// nil: the form asks its questions through the server only.
	PolicyWasm func() (module []byte, version string, err error)
	Logger     *slog.Logger // default discards
	Now        func() time.Time

	// Ready are the readiness checks of /readyz (database, policy, writer).
	Ready []Check
	// WriterStats reports the group-commit writer's counters for /metrics;
	// nil leaves them out.
	WriterStats func() WriterStats
	// MetricsToken, when set, lets /metrics on this server answer a request
	// that bears it (Authorization: Bearer <token>). OpenMetrics lets it
	// answer anyone (the demo on loopback). With neither, /metrics here is
	// 404: serve MetricsHandler on a listener of its own. The counters tell
	// who is active when; they are not for everyone who can reach the app.
	MetricsToken string
	OpenMetrics  bool
	// BodyLimit caps request bodies; default 64 KB. A signal is a few KB.
	BodyLimit int64
	// SecureCookies says a TLS-terminating proxy is in front. Cookies are
	// always __Host- and Secure (see hostCookie); without this (or a
	// proxy's X-Forwarded-Proto: https) a login over plain HTTP at a host
	// other than loopback is refused with a page asking for https://.
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the
	// client (for the login rate limit and the audit's origin). Empty: the
	// TCP peer is the client and X-Forwarded-For is ignored.
	TrustedProxies []*net.IPNet
	// AccountThrottle slows guessing at one account, counted per account
	// and source address together (and per account and known device for a
	// browser that logged in to it before), so nobody elsewhere can make the
	// owner wait; default 5 free failures, then 1s doubling up to 15
	// minutes. SourceThrottle counts one address's failures on any account;
	// default 20 free, then 1s doubling up to a minute. See LoginThrottle.
	AccountThrottle, SourceThrottle LoginThrottle
	// LoginHold: a throttled attempt whose wait is at most this long is
	// held and then checked, so a short delay is only slowness; a longer
	// one is answered 429 with Retry-After. Zero: 2s; negative: never held.
	LoginHold time.Duration
	// PublicURL is the address users reach Signaal at (signald serve
	// --public-url), e.g. https://signaal.example.nl. The redirect URI
	// sent to an organisation's OpenID issuer is built from it, never
	// from the request's Host header. Empty: only a request to a loopback
	// host may begin a sign-in through an organisation (the demo, tests).
	PublicURL string
}

// Check is one readiness check: nil when the part is ready.
type Check = health.Check

// WriterStats are the group-commit writer's counters since it started.
type WriterStats = health.WriterStats

// Server is the HTTP API. It is an http.Handler.
type Server struct {
	echo         *echo.Echo
	users        *signal.Accounts
	issuer       *auth.Issuer
	verifier     *auth.Verifier
	logger       *slog.Logger
	now          func() time.Time
	ready        []Check
	bodyLimit    int64
	secure       bool
	accounts     *throttle
	sources      *throttle
	resets       *throttle // password reset requests per source
	loginHold    time.Duration
	metrics      *metrics
	signals      *signal.Signals
	meetings     *signal.Meetings
	notices      *signal.Notifications
	questions    []signal.Question
	wasm         *policyWasm
	pages        *pages
	privacy      *signal.Privacy
	admin        *signal.Administration
	texts        map[string]signal.Text
	metricsToken string
	openMetrics  bool
	publicURL    string
}

// New returns the server with every route registered.
func New(d Deps) (*Server, error) {
	if d.Accounts == nil || d.Issuer == nil || d.Verifier == nil {
		return nil, errors.New("web: Accounts, Issuer and Verifier are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.BodyLimit <= 0 {
		d.BodyLimit = 64 << 10
	}
	s := &Server{
		echo: echo.New(), users: d.Accounts, issuer: d.Issuer, verifier: d.Verifier, logger: d.Logger, now: d.Now,
		ready: d.Ready, bodyLimit: d.BodyLimit, secure: d.SecureCookies, publicURL: strings.TrimRight(d.PublicURL, "/"),
		accounts:  newThrottle(d.AccountThrottle.orDefault(LoginThrottle{Free: 5, First: time.Second, Max: 15 * time.Minute}), true),
		sources:   newThrottle(d.SourceThrottle.orDefault(LoginThrottle{Free: 20, First: time.Second, Max: time.Minute}), false),
		resets:    newThrottle(resetThrottle, false),
		loginHold: max(d.LoginHold, 0),
	}
	if d.LoginHold == 0 {
		s.loginHold = 2 * time.Second
	}
	var err error
	if s.pages, err = loadPages(); err != nil {
		return nil, fmt.Errorf("web: load pages: %w", err)
	}
	s.metrics = newMetrics(d.WriterStats)
	s.metricsToken, s.openMetrics = d.MetricsToken, d.OpenMetrics
	s.signals = d.Signals
	s.meetings = d.Meetings
	s.notices = d.Notifications
	s.privacy = d.Privacy
	s.admin = d.Admin
	s.texts = d.ReasonTexts
	s.questions = d.Questions
	if d.PolicyWasm != nil {
		s.wasm = &policyWasm{load: d.PolicyWasm}
	}
	if s.questions == nil && d.Signals != nil {
		s.questions = d.Signals.Questions()
	}
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	// The client address is the TCP peer unless it is a trusted proxy:
	// nobody else can dodge the login rate limit by sending X-Forwarded-For.
	e.IPExtractor = echo.ExtractIPDirect()
	if len(d.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, p := range d.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(p))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	}
	e.Use(
		s.requestIDs,
		s.observe, // logs and metrics; sees the final status of every request
		middleware.RecoverWithConfig(middleware.RecoverConfig{LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.logger.Error("panic", slog.String("request_id", requestID(c)), slog.Any("err", err), slog.String("stack", string(stack)))
			return err
		}}),
		securityHeaders,
		compress(), // only where it opens no side channel (compress.go)
		s.limitBody,
	)
	s.routes()
	return s, nil
}

// routes registers every route. The signals endpoints are added here too;
// openapi_test.go keeps openapi.yaml and this list the same.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.guardedMetrics(echo.WrapHandler(s.metrics.handler())))

	api := e.Group("/api/v1")
	api.GET("/openapi.yaml", s.openapi)
	api.POST("/login", s.login)

	authed := api.Group("", s.authenticate)
	authed.POST("/logout", s.logout)
	authed.POST("/logout/everywhere", s.logoutEverywhere)
	authed.GET("/me", s.me)
	s.signalRoutes(authed)
	s.meetingRoutes(authed)
	s.privacyRoutes(authed)
	s.requestRoutes(authed)

	s.pageRoutes()
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.echo.ServeHTTP(w, r) }

// Echo exposes the router, for tests that list its routes.
func (s *Server) Echo() *echo.Echo { return s.echo }

// HTTPServer returns an http.Server for s on addr with timeouts that bound
// slow clients (a phone on a bad connection gets generous but finite time).
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
}
