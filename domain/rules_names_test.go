package domain

import (
	"errors"
	"testing"
)

// TestRulesValidateNamesAndMinReceipt: two tiers that read the same in a
// customer's language ("Silver" to an English customer, whatever their
// default names) are refused as two default names are, and a minimum
// receipt for earning above the largest receipt accepted (an extra zero)
// is refused rather than silently earning nothing on every purchase.
func TestRulesValidateNamesAndMinReceipt(t *testing.T) {
	tests := []struct {
		field  string // "" means valid
		change func(p *Program)
	}{
		{"", func(p *Program) {
			p.Tiers[1].Names = map[string]string{"en": "Silver", "ru": "Серебро"}
			p.Tiers[2].Names = map[string]string{"en": "Gold", "ru": "Золото"}
		}},
		{"program.tiers[2].name.en", func(p *Program) {
			p.Tiers[1].Names = map[string]string{"en": "Silver", "ru": "Серебро"}
			p.Tiers[2].Names = map[string]string{"en": "silver", "ru": "Золото"}
		}},
		{"", func(p *Program) { p.MinReceiptForEarn = p.MaxReceipt }},
		{"program.min_receipt_for_earn", func(p *Program) { p.MinReceiptForEarn = p.MaxReceipt + 1 }},
	}
	for i, tt := range tests {
		p := tieredProgram(RoundDown)
		tt.change(&p)
		err := p.Validate()
		var fe *FieldError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("case %d: valid program: %v", i, err)
		case tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field):
			t.Errorf("case %d: Validate() = %v, want field %s", i, err, tt.field)
		}
	}
}
