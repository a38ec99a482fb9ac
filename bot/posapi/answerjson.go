package posapi

import (
	"strconv"

	"github.com/loyaltybot/loyaltybot/bot/internal/jsonstr"
)

// appendJSON appends the answer as encoding/json writes it, field for
// field and byte for byte (FuzzPurchaseAnswerJSON holds them together),
// without its reflection: a purchase's answer is written on every
// purchase, and json.Marshal was 2 % of the POS API's CPU.
func (a *purchaseAnswer) appendJSON(b []byte) []byte {
	b = append(b, `{"purchase_id":`...)
	b = jsonstr.Append(b, a.PurchaseID)
	b = append(b, `,"receipt_id":`...)
	b = jsonstr.Append(b, a.ReceiptID)
	b = append(b, `,"amount":`...)
	b = strconv.AppendInt(b, a.Amount, 10)
	b = append(b, `,"currency":`...)
	b = jsonstr.Append(b, a.Currency)
	b = append(b, `,"points_earned":`...)
	b = strconv.AppendInt(b, a.PointsEarned, 10)
	b = append(b, `,"points_redeemed":`...)
	b = strconv.AppendInt(b, a.PointsRedeemed, 10)
	b = append(b, `,"balance":`...)
	b = strconv.AppendInt(b, a.Balance, 10)
	b = append(b, `,"tier":`...)
	b = jsonstr.Append(b, a.Tier)
	b = append(b, `,"customer":{"first_name":`...)
	b = jsonstr.Append(b, a.Customer.FirstName)
	b = append(b, `},"created_at":`...)
	b = jsonstr.Append(b, a.CreatedAt)
	if a.Cancelled {
		b = append(b, `,"cancelled":true`...)
	}
	if a.Promotion != "" {
		b = append(b, `,"promotion":`...)
		b = jsonstr.Append(b, a.Promotion)
	}
	if a.ReturnedAmount != 0 {
		b = append(b, `,"returned_amount":`...)
		b = strconv.AppendInt(b, a.ReturnedAmount, 10)
	}
	if a.Stamps != nil {
		b = append(b, `,"stamps":`...)
		b = strconv.AppendInt(b, int64(*a.Stamps), 10)
	}
	return append(b, '}')
}
