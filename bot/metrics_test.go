package bot

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestMetricsExposition: what the jobs count shows on /metrics with the
// runtime's and the process's series, so an alert can fire on them.
func TestMetricsExposition(t *testing.T) {
	m := NewMetrics()
	m.ExpiryFailed(2)
	m.ExpiryFailed(1)
	m.NudgesRan(domain.NudgeReport{Sent: 5, HeldOut: 1, Failed: []error{errors.New("x")}})
	m.sendErrors.WithLabelValues("429").Inc()
	m.Gauge("loyaltybot_test_gauge", "A test gauge.", func() float64 { return 7 })
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		"\nloyaltybot_expiry_card_failures_total 3\n",
		"\nloyaltybot_nudges_total{outcome=\"sent\"} 5\n",
		"\nloyaltybot_nudges_total{outcome=\"failed\"} 1\n",
		"\nloyaltybot_send_errors_total{code=\"429\"} 1\n",
		"\nloyaltybot_test_gauge 7\n",
		"\ngo_goroutines ",
		"\nprocess_resident_memory_bytes ",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", strings.TrimSpace(want))
		}
	}
}
