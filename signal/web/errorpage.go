package web

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// renderError answers an error on a page request with an HTML page in the
// user's language; 401 goes to the login page.
func (s *Server) renderError(c echo.Context, status int, code signal.Code, rid string) {
	if status == http.StatusUnauthorized {
		if err := s.toLogin(c); err != nil {
			s.logger.Error("redirect to login", slog.Any("err", err))
		}
		return
	}
	key := "error." + string(code)
	if !s.pages.cat.Has(key) {
		key = "error.internal"
	}
	v := s.view(c, "error.title", map[string]any{"Message": key, "Status": status, "RequestID": rid})
	if err := s.render(c, status, "error", v); err != nil {
		s.logger.Error("render error page", slog.String("request_id", rid), slog.Any("err", err))
		_ = c.String(status, http.StatusText(status))
	}
}
