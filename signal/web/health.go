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
// writer running); 503 names the failing parts, never their errors. An
// advisory check (mail) that fails is "degraded" and keeps the status
// ready; checks with detail (mail: pending, oldest age, last error class)
// add it under "detail".
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{}
	detail := map[string]any{}
	ok := true
	for _, ch := range s.ready {
		if ch.Detail != nil {
			detail[ch.Name] = ch.Detail(ctx)
		}
		if err := ch.Check(ctx); err != nil && ch.Advisory {
			checks[ch.Name] = "degraded"
			s.logger.Warn("degraded", slog.String("check", ch.Name), slog.Any("err", err))
			continue
		} else if err != nil {
			ok = false
			checks[ch.Name] = "failing"
			s.logger.Warn("not ready", slog.String("check", ch.Name), slog.Any("err", err))
			continue
		}
		checks[ch.Name] = "ok"
	}
	body := map[string]any{"status": "ready", "checks": checks}
	if len(detail) > 0 {
		body["detail"] = detail
	}
	if !ok {
		body["status"] = "not_ready"
		return c.JSON(http.StatusServiceUnavailable, body)
	}
	return c.JSON(http.StatusOK, body)
}
