// Package phones reads phone numbers the way people of a shop's country
// type them, by Google's libphonenumber metadata
// (github.com/nyaruka/phonenumbers): "999 123-45-67" in Russia is
// +79991234567, "90 123 45 67" in Uzbekistan +998901234567. It lives
// apart from domain, which uses the standard library only, and is handed
// to it as a domain.PhoneReader.
package phones

import (
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/nyaruka/phonenumbers"
)

// ValidRegion reports whether region is a country (ISO 3166, upper case:
// "RU", "UZ", "KZ") whose numbers Reader can read.
func ValidRegion(region string) bool {
	return region == strings.ToUpper(region) && phonenumbers.GetCountryCodeForRegion(region) != 0
}

// Reader reads typed numbers to E.164 ("+79991234567"), with the
// separators and prefixes domain.PhoneDigits allows:
//
//   - "+<country code>…" or "00<country code>…": an international number;
//   - otherwise a number of region, as people there write it: for "RU",
//     "8 (999) 123 45 67", "999 123-45-67" and "7 999 123 45 67" are all
//     "+79991234567".
//
// The number must have a length its country's numbers can have: "+7 999
// 123" and a country code no country has ("+999 123 45 67") are refused
// with reason "error.phone.invalid". Which ranges are in use is not
// checked: a new operator's numbers must not be refused.
func Reader(region string) domain.PhoneReader {
	return func(raw string) (string, error) {
		d, plus, err := domain.PhoneDigits(raw)
		if err != nil {
			return "", err
		}
		if len(d) > 17 {
			return "", domain.BadPhone("too many digits")
		}
		if plus {
			if d[0] == '0' {
				return "", domain.BadPhone("country code starts with 0")
			}
			d = "+" + d
		}
		n, err := phonenumbers.Parse(d, region)
		if err != nil {
			return "", domain.BadPhone(err.Error())
		}
		// A number without its area code (IS_POSSIBLE_LOCAL_ONLY) is not
		// one a customer can be found by.
		if phonenumbers.IsPossibleNumberWithReason(n) != phonenumbers.IS_POSSIBLE {
			return "", domain.BadPhone("not a length its country's numbers have")
		}
		e164 := phonenumbers.Format(n, phonenumbers.E164)
		if len(e164) > 16 {
			return "", domain.BadPhone("longer than E.164 allows")
		}
		// One person's number must compare equal whichever way it came:
		// a number whose E.164 reads back as another ("+49 00 000 00",
		// its trunk 0 dropped a second time) is no real one.
		if again, err := phonenumbers.Parse(e164, region); err != nil || phonenumbers.Format(again, phonenumbers.E164) != e164 {
			return "", domain.BadPhone("does not read back as itself")
		}
		return e164, nil
	}
}

// Example is a mobile number of region as people there see it written,
// with its country code ("+7 912 345-67-89" for RU, "+998 91 234 56 78"
// for UZ): the example the bot's messages give.
func Example(region string) string {
	n := phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE)
	if n == nil {
		return ""
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}
