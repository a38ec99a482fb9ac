package posapi

import (
	"strconv"
	"unicode/utf8"
)

// appendJSON appends the answer as encoding/json writes it, field for
// field and byte for byte (FuzzPurchaseAnswerJSON holds them together),
// without its reflection: a purchase's answer is written on every
// purchase, and json.Marshal was 2 % of the POS API's CPU.
func (a *purchaseAnswer) appendJSON(b []byte) []byte {
	b = append(b, `{"purchase_id":`...)
	b = appendJSONString(b, a.PurchaseID)
	b = append(b, `,"receipt_id":`...)
	b = appendJSONString(b, a.ReceiptID)
	b = append(b, `,"amount":`...)
	b = strconv.AppendInt(b, a.Amount, 10)
	b = append(b, `,"currency":`...)
	b = appendJSONString(b, a.Currency)
	b = append(b, `,"points_earned":`...)
	b = strconv.AppendInt(b, a.PointsEarned, 10)
	b = append(b, `,"points_redeemed":`...)
	b = strconv.AppendInt(b, a.PointsRedeemed, 10)
	b = append(b, `,"balance":`...)
	b = strconv.AppendInt(b, a.Balance, 10)
	b = append(b, `,"tier":`...)
	b = appendJSONString(b, a.Tier)
	b = append(b, `,"customer":{"first_name":`...)
	b = appendJSONString(b, a.Customer.FirstName)
	b = append(b, `},"created_at":`...)
	b = appendJSONString(b, a.CreatedAt)
	if a.Cancelled {
		b = append(b, `,"cancelled":true`...)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string the way encoding/json does
// by default: quotes, backslashes and control characters escaped, <, > and
// & escaped for HTML, U+2028 and U+2029 escaped for JavaScript, and each
// invalid UTF-8 byte written as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
