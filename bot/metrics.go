package bot

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/loyaltybot/loyaltybot/domain"
)

// Metrics are the bot's Prometheus metrics, on their own registry with the
// Go runtime and process collectors: the adapter's counters, the outbox
// depth, the jobs' outcomes, and whatever the wiring adds (the database
// pool).
type Metrics struct {
	reg            *prometheus.Registry
	updates        prometheus.Counter
	duplicates     prometheus.Counter
	handlerErrors  prometheus.Counter
	flooded        prometheus.Counter
	dead           prometheus.Counter
	unavailable    prometheus.Counter
	sent           prometheus.Counter
	sendErrors     *prometheus.CounterVec
	latency        prometheus.Histogram
	expiryFailures prometheus.Counter
	nudges         *prometheus.CounterVec
	broadcasts     prometheus.Counter
}

// NewMetrics makes empty metrics.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	f := func(name, help string) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
		reg.MustRegister(c)
		return c
	}
	m := &Metrics{
		reg:            reg,
		updates:        f("loyaltybot_updates_total", "Telegram updates handled."),
		duplicates:     f("loyaltybot_updates_duplicate_total", "Updates delivered more than once and ignored."),
		handlerErrors:  f("loyaltybot_handler_errors_total", "Updates whose handling failed."),
		flooded:        f("loyaltybot_updates_flooded_total", "Updates over a chat's flood limit, skipped without running a flow."),
		dead:           f("loyaltybot_updates_dead_total", "Updates set aside: unstorable, failing even the error reply, or too old to replay at start."),
		unavailable:    f("loyaltybot_updates_db_retries_total", "Attempts at an update that found the database away, and were tried again."),
		sent:           f("loyaltybot_messages_sent_total", "Messages delivered to Telegram."),
		expiryFailures: f("loyaltybot_expiry_card_failures_total", "Cards the points expiry job skipped after an error."),
		broadcasts:     f("loyaltybot_broadcasts_reported_total", "Broadcasts finished and reported to their senders."),
		sendErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "loyaltybot_send_errors_total",
			Help: "Bot API errors by code."}, []string{"code"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "loyaltybot_update_duration_seconds",
			Help:    "Time to handle one update, sending included.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}),
		nudges: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "loyaltybot_nudges_total",
			Help: "Nudges the engine found due, by outcome (sent, held_out, skipped, failed)."}, []string{"outcome"}),
	}
	reg.MustRegister(m.sendErrors, m.latency, m.nudges,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ExpiryFailed counts n cards the points expiry job had to skip.
func (m *Metrics) ExpiryFailed(n int) { m.expiryFailures.Add(float64(n)) }

// NudgesRan counts what one run of the nudge engine did.
func (m *Metrics) NudgesRan(rep domain.NudgeReport) {
	m.nudges.WithLabelValues("sent").Add(float64(rep.Sent))
	m.nudges.WithLabelValues("held_out").Add(float64(rep.HeldOut))
	m.nudges.WithLabelValues("skipped").Add(float64(rep.Skipped))
	m.nudges.WithLabelValues("failed").Add(float64(len(rep.Failed)))
}

// BroadcastsReported counts finished broadcasts reported to their owners.
func (m *Metrics) BroadcastsReported(n int) { m.broadcasts.Add(float64(n)) }

// WatchOutbox adds the outbox depth (messages due and not yet sent),
// read from the database at each scrape.
func (m *Metrics) WatchOutbox(o domain.Outbox) {
	m.Gauge("loyaltybot_outbox_pending", "Messages due in the outbox and not yet sent or dropped.", func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := o.Pending(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
}

// Gauge adds a gauge read at each scrape (the wiring adds the database
// pool's, which the bot package does not see).
func (m *Metrics) Gauge(name, help string, fn func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
