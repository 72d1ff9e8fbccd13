package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/signaal-nl/signaal/signal"
)

// noticePages registers the in-app notices ("Meldingen", issue 16 item 5):
// the same as each person is e-mailed, for every logged-in role.
func (s *Server) noticePages(g *PageGroup) {
	anyone := s.RequireRole(signal.RoleReporter, signal.RoleCoordinator, signal.RolePrivacyOfficer, signal.RoleAdmin)
	g.GET("/meldingen", s.noticesPage, anyone)
}

// noticesData is the list of the logged-in user's notices.
type noticesData struct {
	Notices []signal.Notification
}

// noticesPage: GET /meldingen, the logged-in user's notices, newest first:
// what it is about (never a name), when, whether the e-mail went, and a
// link to where to look.
func (s *Server) noticesPage(c echo.Context) error {
	if s.notices == nil {
		return signal.Errorf(signal.CodeUnavailable, "notices are not available on this server")
	}
	list, err := s.notices.List(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "notices", s.view(c, "notices.title", noticesData{Notices: list}))
}
