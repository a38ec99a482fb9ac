package domain

import (
	"errors"
	"strings"
	"testing"
)

func TestParseStartPayload(t *testing.T) {
	tests := []struct {
		in   string
		want StartPayload
		ok   bool
	}{
		{"", StartPayload{}, true},
		{"s_central", StartPayload{StartStore, "central"}, true},
		{"c_AQIDBAUGBwgJCgsMDQ4PEBESExQV", StartPayload{StartCard, "AQIDBAUGBwgJCgsMDQ4PEBESExQV"}, true},
		{"i_abc-DEF_123", StartPayload{StartInvite, "abc-DEF_123"}, true},
		{"r_friend42", StartPayload{StartReferral, "friend42"}, true},
		{"w_Ab3-x_9", StartPayload{StartWaitlist, "Ab3-x_9"}, true},
		{"w_", StartPayload{}, false},
		{"s_" + strings.Repeat("x", 62), StartPayload{StartStore, strings.Repeat("x", 62)}, true},

		{"s_" + strings.Repeat("x", 63), StartPayload{}, false},
		{"x_central", StartPayload{}, false},
		{"central", StartPayload{}, false},
		{"S_central", StartPayload{}, false},
		{"s_", StartPayload{}, false},
		{"s_cen tral", StartPayload{}, false},
		{"s_центр", StartPayload{}, false},
		{"s_a.b", StartPayload{}, false},
		{"_", StartPayload{}, false},
	}
	for _, tt := range tests {
		got, err := ParseStartPayload(tt.in)
		if got != tt.want {
			t.Errorf("ParseStartPayload(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if tt.ok != (err == nil) || err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseStartPayload(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

func TestStartKindString(t *testing.T) {
	for k, want := range map[StartKind]string{StartNone: "none", StartStore: "store", StartCard: "card",
		StartInvite: "invite", StartReferral: "referral", StartWaitlist: "waitlist", StartKind(9): "StartKind(9)"} {
		if k.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(k), k.String(), want)
		}
	}
}

func FuzzParseStartPayload(f *testing.F) {
	for _, seed := range []string{"", "s_central", "c_AQID", "i_x", "r_y", "w_z", "s_", "zz", "s_ü"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParseStartPayload(in)
		if err != nil {
			if p != (StartPayload{}) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseStartPayload(%q) = %+v, %v", in, p, err)
			}
			return
		}
		if in != "" && startPrefixes[p.Kind]+p.Value != in {
			t.Fatalf("ParseStartPayload(%q) = %+v: the payload does not round-trip", in, p)
		}
		if in != "" && (p.Kind == StartNone || p.Value == "" || len(in) > 64 || !payloadChars(in)) {
			t.Fatalf("ParseStartPayload(%q) = %+v accepted", in, p)
		}
	})
}

func TestStoreLink(t *testing.T) {
	for _, c := range []struct {
		value, store string
		cashier      int64
	}{
		{"central", "central", 0},
		{"central_12", "central", 12},
		{"central_x", "central", 0},
		{"central_-3", "central", 0},
		{"central_0", "central", 0},
		{"central_", "central", 0},
		{"central_12_7", "central", 0},
		{"central_99999999999999999999", "central", 0},
	} {
		store, cashier := StoreLink(c.value)
		if store != c.store || cashier != c.cashier {
			t.Errorf("StoreLink(%q) = %q, %d; want %q, %d", c.value, store, cashier, c.store, c.cashier)
		}
	}
	if p := StoreLinkPayload("central", 12); p != "s_central_12" {
		t.Errorf("payload %q", p)
	}
}

// FuzzStoreLink: whatever a poster's link says, the store code comes back
// without the cashier part, and a cashier's own link round-trips.
func FuzzStoreLink(f *testing.F) {
	for _, seed := range []string{"central", "central_12", "a_b_c", "_1", "x_-1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		store, cashier := StoreLink(in)
		if strings.Contains(store, "_") || cashier < 0 || !strings.HasPrefix(in, store) {
			t.Fatalf("StoreLink(%q) = %q, %d", in, store, cashier)
		}
		if cashier > 0 {
			if s2, c2 := StoreLink(strings.TrimPrefix(StoreLinkPayload(store, cashier), "s_")); s2 != store || c2 != cashier {
				t.Fatalf("%q, %d does not round-trip: %q, %d", store, cashier, s2, c2)
			}
		}
	})
}
