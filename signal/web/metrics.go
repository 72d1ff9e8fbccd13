package web

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/signaal-nl/signaal/signal"
)

// metrics are the server's Prometheus metrics, in a registry of its own (no
// global state: two servers in one test process do not collide).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(writer func() WriterStats) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "signaal_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "signaal_http_request_duration_seconds", Help: "HTTP request duration by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
	}
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if writer == nil {
		return m
	}
	// The group commit's effect: units per batch is the ratio of the two.
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "signaal_audit_batches_total", Help: "Transactions committed by the group-commit writer.",
		}, func() float64 { return float64(writer().Batches) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "signaal_audit_units_total", Help: "Units of work (writes with their audit entries) committed by the writer.",
		}, func() float64 { return float64(writer().Units) }),
		// Busy near 1 per second of wall time: the one writer is the limit.
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "signaal_audit_writer_busy_seconds_total", Help: "Time the group-commit writer spent running batches.",
		}, func() float64 { return writer().Busy.Seconds() }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "signaal_audit_syncs_total", Help: "fsyncs of the WAL that made committed batches durable.",
		}, func() float64 { return float64(writer().Syncs) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "signaal_audit_sync_seconds_total", Help: "Time spent in those fsyncs.",
		}, func() float64 { return writer().Syncing.Seconds() }),
	)
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// MetricsHandler serves the metrics alone, for a listener of their own
// (signald serve --metrics-addr), which the operator keeps off the
// network the users reach.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.handler())
	return mux
}

// guardedMetrics answers /metrics on the main listener only as the
// deployment allows: to anyone (OpenMetrics), to a bearer of MetricsToken,
// or not at all (404).
func (s *Server) guardedMetrics(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch {
		case s.openMetrics:
			return h(c)
		case s.metricsToken == "":
			return echo.ErrNotFound
		}
		tok, fromCookie := bearerToken(c.Request())
		if fromCookie || subtle.ConstantTimeCompare([]byte(tok), []byte(s.metricsToken)) != 1 {
			return signal.ErrNoSession
		}
		return h(c)
	}
}
