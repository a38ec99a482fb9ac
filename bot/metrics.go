package bot

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics are the adapter's Prometheus metrics, written in the text
// exposition format by hand: four series do not justify a client library.
type Metrics struct {
	updates       counter
	duplicates    counter
	handlerErrors counter
	flooded       counter
	dead          counter
	sent          counter
	sendErrors    labeled
	latency       histogram
	// expiryFailures counts cards the points expiry job could not handle.
	expiryFailures counter
}

// NewMetrics makes empty metrics.
func NewMetrics() *Metrics {
	return &Metrics{
		sendErrors: labeled{m: map[string]*atomic.Int64{}},
		latency:    newHistogram([]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}),
	}
}

// ExpiryFailed counts n cards the points expiry job had to skip.
func (m *Metrics) ExpiryFailed(n int) { m.expiryFailures.n.Add(int64(n)) }

type counter struct{ n atomic.Int64 }

func (c *counter) Inc()         { c.n.Add(1) }
func (c *counter) Add(n int64)  { c.n.Add(n) }
func (c *counter) Value() int64 { return c.n.Load() }

type labeled struct {
	mu sync.Mutex
	m  map[string]*atomic.Int64
}

func (l *labeled) Inc(label string) {
	l.mu.Lock()
	c, ok := l.m[label]
	if !ok {
		c = new(atomic.Int64)
		l.m[label] = c
	}
	l.mu.Unlock()
	c.Add(1)
}

type histogram struct {
	mu      sync.Mutex
	bounds  []float64
	buckets []int64
	count   int64
	sum     float64
}

func newHistogram(bounds []float64) histogram {
	return histogram{bounds: bounds, buckets: make([]int64, len(bounds))}
}

func (h *histogram) Observe(d time.Duration) {
	v := d.Seconds()
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, b := range h.bounds {
		if v <= b {
			h.buckets[i]++
		}
	}
	h.count++
	h.sum += v
}

// Write writes the metrics in Prometheus text format.
func (m *Metrics) Write(w io.Writer) {
	fmt.Fprintf(w, "# HELP loyaltybot_updates_total Telegram updates handled.\n# TYPE loyaltybot_updates_total counter\nloyaltybot_updates_total %d\n", m.updates.Value())
	fmt.Fprintf(w, "# HELP loyaltybot_updates_duplicate_total Updates delivered more than once and ignored.\n# TYPE loyaltybot_updates_duplicate_total counter\nloyaltybot_updates_duplicate_total %d\n", m.duplicates.Value())
	fmt.Fprintf(w, "# HELP loyaltybot_handler_errors_total Updates whose handling failed.\n# TYPE loyaltybot_handler_errors_total counter\nloyaltybot_handler_errors_total %d\n", m.handlerErrors.Value())
	fmt.Fprintf(w, "# HELP loyaltybot_updates_flooded_total Updates over a chat's flood limit, skipped without running a flow.\n# TYPE loyaltybot_updates_flooded_total counter\nloyaltybot_updates_flooded_total %d\n", m.flooded.Value())
	fmt.Fprintf(w, "# HELP loyaltybot_updates_dead_total Updates set aside: unstorable, failing even the error reply, or too old to replay at start.\n# TYPE loyaltybot_updates_dead_total counter\nloyaltybot_updates_dead_total %d\n", m.dead.Value())
	fmt.Fprintf(w, "# HELP loyaltybot_messages_sent_total Messages delivered to Telegram.\n# TYPE loyaltybot_messages_sent_total counter\nloyaltybot_messages_sent_total %d\n", m.sent.Value())
	fmt.Fprintf(w, "# HELP loyaltybot_expiry_card_failures_total Cards the points expiry job skipped after an error.\n# TYPE loyaltybot_expiry_card_failures_total counter\nloyaltybot_expiry_card_failures_total %d\n", m.expiryFailures.Value())
	fmt.Fprintf(w, "# HELP loyaltybot_send_errors_total Bot API errors by code.\n# TYPE loyaltybot_send_errors_total counter\n")
	m.sendErrors.mu.Lock()
	codes := make([]string, 0, len(m.sendErrors.m))
	for c := range m.sendErrors.m {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		fmt.Fprintf(w, "loyaltybot_send_errors_total{code=%q} %d\n", c, m.sendErrors.m[c].Load())
	}
	m.sendErrors.mu.Unlock()
	h := &m.latency
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintf(w, "# HELP loyaltybot_update_duration_seconds Time to handle one update, sending included.\n# TYPE loyaltybot_update_duration_seconds histogram\n")
	for i, b := range h.bounds {
		fmt.Fprintf(w, "loyaltybot_update_duration_seconds_bucket{le=\"%g\"} %d\n", b, h.buckets[i])
	}
	fmt.Fprintf(w, "loyaltybot_update_duration_seconds_bucket{le=\"+Inf\"} %d\n", h.count)
	fmt.Fprintf(w, "loyaltybot_update_duration_seconds_sum %g\nloyaltybot_update_duration_seconds_count %d\n", h.sum, h.count)
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.Write(w)
	})
}
