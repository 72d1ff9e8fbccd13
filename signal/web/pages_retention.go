package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// The privacy officer's retention page (issue 17 item 5): what becomes due
// and when, per young person by pseudonym, what a run now would do, and
// the run log; a run from the page goes through the same engine and the
// same safeguards as the hourly job (signal.Retention.Run).

// retentionRoutes registers the retention page and its API beside the
// console's.
func (s *Server) retentionPages(g *PageGroup, po echo.MiddlewareFunc) {
	g.GET("/privacy/bewaren", s.retentionPage, po)
	g.POST("/privacy/bewaren", s.retentionRunSubmit, po)
}

// retentionPage: GET /privacy/bewaren.
func (s *Server) retentionPage(c echo.Context) error {
	sch, err := s.privacy.RetentionSchedule(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "privacy_retention", "retention.title", sch)
}

// retentionRunSubmit: POST /privacy/bewaren {confirm}: run retention now in
// the officer's cooperation. A run a safeguard stops erases nothing; the
// run log on the page says which and why, as it does for the job's.
func (s *Server) retentionRunSubmit(c echo.Context) error {
	confirm := c.FormValue("confirm") == "yes"
	_, err := s.privacy.RunRetention(c.Request().Context(), signalActor(c), confirm)
	if err != nil && signal.ErrorCode(err) != signal.CodeConflict {
		return err
	}
	return redirect(c, "/privacy/bewaren#runs")
}

// apiRetentionSchedule: GET /api/v1/privacy/retention/schedule: the same
// as the page, as JSON.
func (s *Server) apiRetentionSchedule(c echo.Context) error {
	sch, err := s.privacy.RetentionSchedule(c.Request().Context(), signalActor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sch)
}
