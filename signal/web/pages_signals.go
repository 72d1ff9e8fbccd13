package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// reporterPages registers the reporter's pages (issue 5).
func (s *Server) reporterPages(g *PageGroup) {
	reporter := s.RequireRole(signal.RoleReporter)
	g.GET("/signalen", s.homePage, reporter)
}

// homePage: GET /signalen, the reporter's start page.
func (s *Server) homePage(c echo.Context) error {
	return s.Render(c, http.StatusOK, "home", "home.title", nil)
}
