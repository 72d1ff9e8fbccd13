package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// ctxPage marks a request as a page request (see pageRequest).
const ctxPage = "signaal.page"

// pageRoutes registers the pages. Public: the login page, the language
// switch, the static files, the service worker and the manifest. The rest
// needs a session cookie (else a redirect to the login page). Every page
// POST must come from this origin (sameOriginPages) and bring a CSRF token
// bound to its session (sessionCSRF) or, for the login form, to the
// browser's login nonce (loginCSRF); see csrf.go.
//
// Areas register their pages here, each in its own file:
// s.reporterPages (pages_signals.go), s.meetingPages (pages_meeting.go),
// s.privacyPages (pages_privacy.go). The page machinery is beside them:
// templates.go (the View and rendering), csrf.go, login.go (login, logout
// and the page session), static.go (static files, service worker,
// manifest) and errorpage.go.
func (s *Server) pageRoutes() {
	pub := &PageGroup{e: s.echo, mw: []echo.MiddlewareFunc{s.pageRequest, language, sameOriginPages}}
	pub.GET("/static/policy.wasm", s.policyWasmFile)
	pub.GET("/static/policy-questions.json", s.policyQuestions)
	pub.GET("/static/phone-screens.json", s.phoneScreens)
	pub.GET("/static/*", s.static)
	pub.GET("/sw.js", s.serviceWorker)
	pub.GET("/manifest.webmanifest", s.manifest)
	pub.GET("/taal", s.switchLanguage)
	pub.GET("/offline", s.offlinePage)
	login := pub.With(s.loginCSRF)
	login.GET("/login", s.loginPage)
	login.POST("/login", s.loginSubmit)
	s.invitationPages(login)
	login.GET("/login/vergeten", s.forgotPage)
	login.POST("/login/vergeten", s.forgotSubmit)
	login.GET("/wachtwoord/:token", s.resetPage)
	login.POST("/wachtwoord/:token", s.resetSubmit)
	login.GET("/login/code", s.codePage)
	login.POST("/login/code", s.codeSubmit)
	login.GET("/login/instellen", s.enrolPage)
	login.POST("/login/instellen", s.enrolSubmit)
	pub.GET("/login/sso", s.ssoStart)
	pub.GET(SSOCallbackPath, s.ssoCallback)

	g := pub.With(s.pageSession, s.sessionCSRF)
	g.POST("/logout", s.logoutSubmit)
	g.POST("/logout/everywhere", s.logoutEverywhereSubmit)
	g.GET("/", s.startPage)
	s.reporterPages(g)
	s.meetingPages(g)
	s.privacyPages(g)
	s.adminPages(g)
	s.noticePages(g)
}

// PageGroup registers page routes with the page middleware on each route.
// (An Echo group with middleware adds catch-all routes, which would answer
// unknown API paths and wrong methods with a page.) Put a role guard on
// each route: g.GET("/x", h, s.RequireRole(signal.RoleCoordinator)).
type PageGroup struct {
	e  *echo.Echo
	mw []echo.MiddlewareFunc
}

// With returns a group that adds m after g's middleware.
func (g *PageGroup) With(m ...echo.MiddlewareFunc) *PageGroup {
	return &PageGroup{e: g.e, mw: append(slices.Clone(g.mw), m...)}
}

// GET registers a page.
func (g *PageGroup) GET(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	g.e.GET(path, h, append(slices.Clone(g.mw), m...)...)
}

// POST registers a form's target.
func (g *PageGroup) POST(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	g.e.POST(path, h, append(slices.Clone(g.mw), m...)...)
}

// pageRequest marks the request as a page request, so errors are answered
// with an HTML page instead of JSON.
func (s *Server) pageRequest(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(ctxPage, true)
		return next(c)
	}
}

func isPageRequest(c echo.Context) bool {
	p, _ := c.Get(ctxPage).(bool)
	return p
}

// startPage sends each role to its own start page.
func (s *Server) startPage(c echo.Context) error {
	u, _ := CurrentUser(c)
	if dest, ok := startPages[u.Role]; ok {
		return redirect(c, dest)
	}
	return s.Render(c, http.StatusOK, "start", "start.title", nil)
}

// startPages is each role's start page; a role without one sees a plain
// welcome page. The meeting and privacy pages add their roles.
var startPages = map[signal.Role]string{
	signal.RoleReporter:       "/signalen",
	signal.RolePrivacyOfficer: "/privacy",
	signal.RoleAdmin:          "/beheer",
}
