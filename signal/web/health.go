package web

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPI is the API description served at /api/v1/openapi.yaml.
func OpenAPI() []byte { return openapiYAML }

func (s *Server) openapi(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml; charset=utf-8", openapiYAML)
}

// healthz answers as long as the process serves HTTP (liveness).
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz runs every readiness check (database reachable, policy loaded,
// writer running); 503 names the failing parts, never their errors.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{}
	ok := true
	for _, ch := range s.ready {
		if err := ch.Check(ctx); err != nil {
			ok = false
			checks[ch.Name] = "failing"
			s.logger.Warn("not ready", slog.String("check", ch.Name), slog.Any("err", err))
			continue
		}
		checks[ch.Name] = "ok"
	}
	if !ok {
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "not_ready", "checks": checks})
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ready", "checks": checks})
}
