package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestCanCloseWaitlist(t *testing.T) {
	w := &Waitlist{ShopID: 1, CreatedBy: 10}
	tests := []struct {
		name string
		by   *Staff
		want bool
	}{
		{"the cashier who made it", &Staff{ID: 10, Role: RoleCashier, ShopID: 1}, true},
		{"another cashier", &Staff{ID: 11, Role: RoleCashier, ShopID: 1}, false},
		{"a manager of its store", &Staff{ID: 12, Role: RoleManager, ShopID: 1}, true},
		{"a manager of another store", &Staff{ID: 13, Role: RoleManager, ShopID: 2}, false},
		{"a manager of every store", &Staff{ID: 14, Role: RoleManager}, true},
		{"an owner", &Staff{ID: 15, Role: RoleOwner}, true},
		{"a revoked owner", &Staff{ID: 16, Role: RoleOwner, RevokedAt: time.Unix(1, 0)}, false},
		{"the revoked creator", &Staff{ID: 10, Role: RoleCashier, ShopID: 1, RevokedAt: time.Unix(1, 0)}, false},
		{"nobody", nil, false},
	}
	for _, tt := range tests {
		if got := tt.by.CanCloseWaitlist(w); got != tt.want {
			t.Errorf("%s: CanCloseWaitlist = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseWaitlistName(t *testing.T) {
	for in, want := range map[string]string{
		"Oat milk 1 l":       "Oat milk 1 l",
		"  Rye \n\t bread  ": "Rye bread",
		"Овсяное молоко":     "Овсяное молоко",
		"🥛":                  "🥛",
	} {
		if got, err := ParseWaitlistName(in); got != want || err != nil {
			t.Errorf("ParseWaitlistName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "   ", strings.Repeat("x", 61), "milk\u202e", "a\x00b", "\xff"} {
		if _, err := ParseWaitlistName(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseWaitlistName(%q) error %v, want ErrInvalid", in, err)
		}
	}
}

func FuzzParseWaitlistName(f *testing.F) {
	for _, seed := range []string{"Oat milk", "  a  b ", "", "\u202e", strings.Repeat("я", 61)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		name, err := ParseWaitlistName(in)
		if err != nil {
			if name != "" || !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseWaitlistName(%q) = %q, %v", in, name, err)
			}
			return
		}
		if n := utf8.RuneCountInString(name); n == 0 || n > maxWaitlistName || strings.Join(strings.Fields(name), " ") != name {
			t.Fatalf("ParseWaitlistName(%q) = %q: not clean", in, name)
		}
		if again, err := ParseWaitlistName(name); again != name || err != nil {
			t.Fatalf("not idempotent on %q: %q, %v", name, again, err)
		}
	})
}
