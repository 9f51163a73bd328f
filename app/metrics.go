package app

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"hawker/users"
)

// metrics counts requests and their latency by route pattern (never the raw
// path, which would carry participant codes) and exposes the pool figures.
type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	handler  http.Handler
}

func newMetrics(db *sqlx.DB) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hawker_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hawker_http_request_duration_seconds",
			Help:    "HTTP request latency, by route pattern, method and status.",
			Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
	}
	hashes := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "hawker_password_hashes_total",
		Help: "argon2id computations run (sign-ins, credential checks and changes).",
	}, func() float64 { return float64(users.HashRuns()) })
	reg.MustRegister(m.requests, m.latency, hashes,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if db != nil {
		reg.MustRegister(collectors.NewDBStatsCollector(db.DB, "hawker"))
	}
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) middleware(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		// The error handler has not run yet; count what it will send.
		status = statusOf(err)
	}
	// Unmatched paths end in the catch-all "/" handler; label them as one
	// series so random paths cannot grow the metric without bound.
	route := c.Route().Path
	if status == fiber.StatusNotFound && route == "/" && c.Path() != "/" {
		route = "unmatched"
	}
	labels := []string{route, c.Method(), strconv.Itoa(status)}
	m.requests.WithLabelValues(labels...).Inc()
	m.latency.WithLabelValues(labels...).Observe(time.Since(start).Seconds())
	return err
}

// Metrics serves the Prometheus text format. It is not one of the routes:
// sign-in failures and export counts are not for the public, so `serve`
// mounts it on its own listener (HAWKER_METRICS_ADDR, loopback by default),
// as Prometheus exporters do.
func (s *Server) Metrics() http.Handler { return s.stats.handler }
