package domain

import (
	"errors"
	"testing"
	"time"
)

// TestPromotionAt: days, hours (a window past midnight belongs to the day
// it starts), dates with both ends included, and stores.
func TestPromotionAt(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, msk)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	afternoon := Promotion{ID: "a", Multiplier: 2, Days: []time.Weekday{time.Monday, time.Tuesday},
		StartMin: 15 * 60, EndMin: 17 * 60, Stores: []string{"central"}}
	night := Promotion{ID: "n", Multiplier: 3, Days: []time.Weekday{time.Friday}, StartMin: 22 * 60, EndMin: 2 * 60}
	december := Promotion{ID: "d", Multiplier: 2, From: "2026-12-01", Until: "2026-12-31"}
	for _, tt := range []struct {
		p     Promotion
		store string
		at    string
		want  bool
	}{
		{afternoon, "central", "2026-11-30 15:00", true}, // Monday, the first minute
		{afternoon, "central", "2026-11-30 16:59", true},
		{afternoon, "central", "2026-11-30 17:00", false}, // the end is not in it
		{afternoon, "central", "2026-11-30 14:59", false},
		{afternoon, "central", "2026-12-02 15:30", false}, // Wednesday
		{afternoon, "river", "2026-11-30 15:30", false},
		{night, "river", "2026-12-04 23:00", true},  // Friday night
		{night, "river", "2026-12-05 01:59", true},  // still Friday's night, on Saturday
		{night, "river", "2026-12-05 02:00", false}, // over
		{night, "river", "2026-12-05 23:00", false}, // Saturday night is not Friday's
		{night, "river", "2026-12-04 01:00", false}, // Thursday's night, on Friday
		{night, "river", "2026-12-04 12:00", false},
		{december, "central", "2026-12-01 00:00", true},
		{december, "central", "2026-12-31 23:59", true},
		{december, "central", "2026-11-30 23:59", false},
		{december, "central", "2027-01-01 00:00", false},
	} {
		if got := tt.p.At(tt.store, at(tt.at)); got != tt.want {
			t.Errorf("%s at %s %s: %v, want %v", tt.p.ID, tt.store, tt.at, got, tt.want)
		}
	}
	p := Program{Promotions: []Promotion{december, night, {ID: "d2", Multiplier: 2}}}
	if got := p.PromotionAt("central", at("2026-12-04 23:00")); got == nil || got.ID != "n" {
		t.Errorf("the highest multiplier should apply, got %+v", got)
	}
	if got := p.PromotionAt("central", at("2026-12-03 12:00")); got == nil || got.ID != "d" {
		t.Errorf("of equal multipliers the first listed applies, got %+v", got)
	}
	if got := (&Program{}).PromotionAt("central", at("2026-12-03 12:00")); got != nil {
		t.Errorf("no promotions, got %+v", got)
	}
}

// TestQuoteWithPromotion: the tier's rate times the multiplier, on what
// is paid in money; a quote that earns nothing names no promotion.
func TestQuoteWithPromotion(t *testing.T) {
	p := DefaultProgram()
	double := &Promotion{ID: "double", Multiplier: 2}
	q, err := p.Quote(100_000, 0, 0, 0, double)
	if err != nil || q.Earn != 60 || q.Promotion != double {
		t.Fatalf("1,000 ₽ at 3 %% ×2: %+v, %v; want 60 points", q, err)
	}
	q, err = p.Quote(100_000, 300, 500, 0, double)
	if err != nil || q.Earn != 42 {
		t.Fatalf("700 ₽ paid in money ×2: %+v, %v; want 42", q, err)
	}
	p.MinReceiptForEarn = 200_000
	if q, err = p.Quote(100_000, 0, 0, 0, double); err != nil || q.Earn != 0 || q.Promotion != nil {
		t.Fatalf("under the minimum receipt: %+v, %v", q, err)
	}
	p = DefaultProgram()
	if _, err := p.Quote(100_000, 0, 0, 0, &Promotion{ID: "x", Multiplier: 11}); err == nil {
		t.Fatal("a multiplier past the bound was quoted")
	}
}

// TestValidatePromotions: each field's rule names the field.
func TestValidatePromotions(t *testing.T) {
	stores := []StoreConfig{{Code: "central"}}
	good := Promotion{ID: "happy", Title: map[string]string{"ru": "Счастливый час", "en": "Happy hour"}, Multiplier: 2}
	if err := validatePromotions([]Promotion{good}, []string{"ru", "en"}, stores); err != nil {
		t.Fatal(err)
	}
	for field, change := range map[string]func(p *Promotion){
		"id":         func(p *Promotion) { p.ID = "Happy Hour" },
		"title.en":   func(p *Promotion) { delete(p.Title, "en") },
		"multiplier": func(p *Promotion) { p.Multiplier = 1 },
		"from":       func(p *Promotion) { p.From = "2026-13-01" },
		"until":      func(p *Promotion) { p.From, p.Until = "2026-12-02", "2026-12-01" },
		"stores[0]":  func(p *Promotion) { p.Stores = []string{"nowhere"} },
		"min_amount": func(p *Promotion) { p.MinAmount = -1 },
	} {
		p := good
		p.Title = map[string]string{"ru": "Счастливый час", "en": "Happy hour"}
		change(&p)
		err := validatePromotions([]Promotion{p}, []string{"ru", "en"}, stores)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "program.promotions[0]."+field {
			t.Errorf("%s: %v", field, err)
		}
	}
	if err := validatePromotions([]Promotion{good, good}, []string{"ru", "en"}, stores); err == nil {
		t.Error("an id used twice passed")
	}
}

// TestBestPromotion: the highest multiplier that applies to the receipt,
// the first of equals; a minimum leaves out the receipts under it, and
// AnyAmount (a card's caption) takes every promotion.
func TestBestPromotion(t *testing.T) {
	tea := &Promotion{ID: "tea", Multiplier: 2}
	big := &Promotion{ID: "big", Multiplier: 3, MinAmount: 100_000}
	also := &Promotion{ID: "also", Multiplier: 2}
	ps := []*Promotion{tea, big, also}
	for amount, want := range map[int64]*Promotion{50_000: tea, 99_999: tea, 100_000: big, 500_000: big, AnyAmount: big} {
		if got := BestPromotion(ps, amount); got != want {
			t.Errorf("BestPromotion(%d) = %v, want %s", amount, got, want.ID)
		}
	}
	if got := BestPromotion([]*Promotion{big}, 99_999); got != nil {
		t.Errorf("under the only one's minimum: %v", got)
	}
}
