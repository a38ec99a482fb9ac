package posapi

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/phones"
)

// FuzzReadPurchase: whatever body a POS sends, the purchase reader answers
// a checked input or an API error with a code, never panics, and what it
// accepts holds the rules (positive amount under the ceiling, the
// business currency, no negative redemption).
func FuzzReadPurchase(f *testing.F) {
	f.Add(`{"card":"1234 5678 123 456","amount":123450,"currency":"RUB","receipt_id":"R-1","redeem_points":0,"categories":["coffee"]}`)
	f.Add(`{"card":"c_x","amount":-1,"currency":"rub","receipt_id":"R"}`)
	f.Add(`{"amount":1e30}`)
	f.Add(`[]`)
	f.Add(`{"card":"1","amount":1,"currency":"RUB","receipt_id":"\u0000"}`)
	p := domain.DefaultProgram()
	a := &API{program: &p, currency: "RUB", biz: &domain.Business{Phones: phones.Reader("RU")}}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/purchases", bytes.NewBufferString(body))
		in, err := a.readPurchase(httptest.NewRecorder(), r)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.code == "" || ae.status < 400 {
				t.Fatalf("not an API error: %v", err)
			}
			return
		}
		if in.amount <= 0 || in.amount > p.MaxReceipt || in.redeem < 0 || in.currency != "RUB" || in.hash == "" {
			t.Fatalf("accepted %+v", in)
		}
	})
}

// FuzzReadReturn: whatever body a POS sends to return part of a
// purchase, the reader answers a checked input or an API error with a
// code, never panics, and what it accepts holds the rules (a positive
// amount under the ceiling, a return_id of 1–64 printable characters).
func FuzzReadReturn(f *testing.F) {
	f.Add(`{"amount":25000,"return_id":"RET-1"}`)
	f.Add(`{"amount":0,"return_id":""}`)
	f.Add(`{"amount":-1,"return_id":"R","points":3}`)
	f.Add(`{"amount":1e30,"return_id":null}`)
	f.Add(`{"amount":1,"return_id":"\u0000"}`)
	p := domain.DefaultProgram()
	a := &API{program: &p, currency: "RUB", biz: &domain.Business{Phones: phones.Reader("RU")}}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/purchases/p_x/returns", bytes.NewBufferString(body))
		in, err := a.readReturn(httptest.NewRecorder(), r)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.code == "" || ae.status < 400 {
				t.Fatalf("not an API error: %v", err)
			}
			return
		}
		if in.amount <= 0 || in.amount > p.MaxReceipt || in.returnID == "" || in.hash == "" ||
			checkText("return_id", in.returnID, maxReceiptID) != nil {
			t.Fatalf("accepted %+v", in)
		}
	})
}

// FuzzReadPrize: whatever body a POS sends to give a prize, the reader
// answers a checked input or an API error with a code, never panics, and
// what it accepts holds the rules (a card that is not a phone number, a
// reward id and a prize_id of printable characters within their bounds).
func FuzzReadPrize(f *testing.F) {
	f.Add(`{"card":"1234 5678 123 456","reward":"coffee","prize_id":"G-1"}`)
	f.Add(`{"card":"+79991234567","reward":"coffee","prize_id":"G-1"}`)
	f.Add(`{"card":"c_abc","reward":"","prize_id":null}`)
	f.Add(`{"card":"x","reward":"a_very_long_reward_id_beyond","prize_id":"\u0000"}`)
	f.Add(`{"card":"x","reward":"coffee","prize_id":"G","points":5}`)
	p := domain.DefaultProgram()
	a := &API{program: &p, currency: "RUB", biz: &domain.Business{Phones: phones.Reader("RU")}}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/prizes", bytes.NewBufferString(body))
		in, err := a.readPrize(httptest.NewRecorder(), r)
		if err != nil {
			var ae *apiError
			if !errors.As(err, &ae) || ae.code == "" || ae.status < 400 {
				t.Fatalf("not an API error: %v", err)
			}
			return
		}
		if a.biz.IsPhoneLookup(in.card) || checkText("card", in.card, maxCardInput) != nil ||
			checkText("reward", in.reward, maxRewardID) != nil || checkText("prize_id", in.prizeID, maxReceiptID) != nil {
			t.Fatalf("accepted %+v", in)
		}
	})
}
