package bot

import (
	"strings"
	"testing"
)

// TestMetricsCountExpiryFailures: cards the expiry job skipped show on
// /metrics, so an alert can fire on them.
func TestMetricsCountExpiryFailures(t *testing.T) {
	m := NewMetrics()
	m.ExpiryFailed(2)
	m.ExpiryFailed(1)
	var b strings.Builder
	m.Write(&b)
	if !strings.Contains(b.String(), "\nloyaltybot_expiry_card_failures_total 3\n") {
		t.Fatalf("metrics:\n%s", b.String())
	}
}
