package domain

import (
	"errors"
	"testing"
	"time"
)

// TestParseContactWindow: the ways people type a window, and the reasons
// a typo is refused.
func TestParseContactWindow(t *testing.T) {
	for _, tc := range []struct {
		in, want, reason string
	}{
		{in: "10:00-20:00", want: "10:00-20:00"},
		{in: " 9 - 18 ", want: "09:00-18:00"},
		{in: "9.30 – 12", want: "09:30-12:00"},
		{in: "с 10 до 20", want: "10:00-20:00"},
		{in: "From 18 to 21", want: "18:00-21:00"},
		{in: "18:00—24:00", want: "18:00-00:00"},
		{in: "22-02", want: "22:00-02:00"},
		{in: "10 dan 20 gacha", want: "10:00-20:00"},
		{in: "10:30dan 20gacha", want: "10:30-20:00"},
		{in: "10 dan 20", want: "10:00-20:00"},
		{in: "с 10 по 20", want: "10:00-20:00"},
		{in: "from 10 till 20", want: "10:00-20:00"},
		{in: "9 until 17:30", want: "09:00-17:30"},
		{in: "0-24", want: ""},
		{in: "00:00-24:00", want: ""},
		{in: "Any time.", want: ""},
		{in: "В любое  время", want: ""},
		{in: "istalgan vaqtda", want: ""},
		{in: "any day", reason: "error.settings.window.format"},
		{in: "после 19", want: "19:00-00:00"},
		{in: "After 18:30", want: "18:30-00:00"},
		{in: "19 dan keyin", want: "19:00-00:00"},
		{in: "до 12", want: "00:00-12:00"},
		{in: "before 11.30", want: "00:00-11:30"},
		{in: "12 gacha", want: "00:00-12:00"},
		{in: "10-20 gacha", want: "10:00-20:00"},
		{in: "soat 10 dan 20 gacha", want: "10:00-20:00"},
		{in: "soat 10:00 dan soat 20:00 gacha", want: "10:00-20:00"},
		{in: "10dan20gacha", want: "10:00-20:00"},
		{in: "19dan keyin", want: "19:00-00:00"},
		{in: "soat 19 dan keyin", want: "19:00-00:00"},
		{in: "19:00 dan", want: "19:00-00:00"},
		{in: "soat 12 gacha", want: "00:00-12:00"},
		{in: "соат 10 дан 20 гача", want: "10:00-20:00"},
		{in: "с 10 до 20 часов", want: "10:00-20:00"},
		{in: "с 10 часов до 20 часов", want: "10:00-20:00"},
		{in: "с 10ч. до 20ч.", want: "10:00-20:00"},
		{in: "с 9-ти до 18-ти", want: "09:00-18:00"},
		{in: "после 19 часов", want: "19:00-00:00"},
		{in: "до 12 часов", want: "00:00-12:00"},
		{in: "с 19", want: "19:00-00:00"},
		{in: "с 9 утра до 6 вечера", want: "09:00-18:00"},
		{in: "после 7 вечера", want: "19:00-00:00"},
		{in: "с 12 дня до 11 ночи", want: "12:00-23:00"},
		{in: "10am-8pm", want: "10:00-20:00"},
		{in: "from 9:30 a.m. to 5 p.m.", want: "09:30-17:00"},
		{in: "after 7pm", want: "19:00-00:00"},
		{in: "before 12pm", want: "00:00-12:00"},
		{in: "10h-20h", want: "10:00-20:00"},
		// A shop's day on a 12-hour clock: the end is in the afternoon.
		{in: "9-5", want: "09:00-17:00"},
		{in: "с 8 до 5", want: "08:00-17:00"},
		{in: "9:30-5:30", want: "09:30-17:30"},
		{in: "9 dan 5 gacha", want: "09:00-17:00"},
		{in: "с 10 утра до 2", want: "10:00-14:00"},
		{in: "1pm-5", want: "13:00-17:00"},
		{in: "12-1", want: "12:00-13:00"},
		{in: "9-9", want: "09:00-21:00"},
		{in: "с 8 до 8", want: "08:00-20:00"},
		// A night on a 24-hour clock, or said so, stays one.
		{in: "22-7", want: "22:00-07:00"},
		{in: "с 22 до 7", want: "22:00-07:00"},
		{in: "14-5", want: "14:00-05:00"},
		{in: "10-02", want: "10:00-02:00"},
		{in: "10:00-02:00", want: "10:00-02:00"},
		{in: "10am-2am", want: "10:00-02:00"},
		{in: "с 10 утра до 2 ночи", want: "10:00-02:00"},
		{in: "9pm-5", want: "21:00-05:00"},
		{in: "с 9 вечера до 3", want: "21:00-03:00"},
		{in: "9-0", want: "09:00-00:00"},
		{in: "15pm-17", reason: "error.settings.window.format"},
		{in: "с 3 вечера", reason: "error.settings.window.format"},
		{in: "0am-5", reason: "error.settings.window.format"},
		{in: "после 19 gacha", reason: "error.settings.window.format"},
		{in: "dan 10", reason: "error.settings.window.format"},
		{in: "keyin", reason: "error.settings.window.format"},
		{in: "gacha", reason: "error.settings.window.format"},
		{in: "с 10 и до 20", reason: "error.settings.window.format"},
		{in: "после", reason: "error.settings.window.format"},
		{in: "после 23:30", reason: "error.settings.window.short"},
		{in: "10", reason: "error.settings.window.format"},
		{in: "10:00 20:00", reason: "error.settings.window.format"},
		{in: "25-26", reason: "error.settings.window.format"},
		{in: "10:60-12", reason: "error.settings.window.format"},
		{in: "24-10", reason: "error.settings.window.format"},
		{in: "10:5-12", reason: "error.settings.window.format"},
		{in: "-10-12", reason: "error.settings.window.format"},
		{in: "evening", reason: "error.settings.window.format"},
		{in: "10-10", reason: "error.settings.window.short"},
		{in: "0-0", reason: "error.settings.window.short"},
		{in: "00:00-00:00", reason: "error.settings.window.short"},
		{in: "10:00-10:30", reason: "error.settings.window.short"},
	} {
		w, err := ParseContactWindow(tc.in)
		var v *ValidationError
		switch {
		case tc.reason == "" && (err != nil || w.String() != tc.want):
			t.Errorf("%q: %q, %v; want %q", tc.in, w.String(), err, tc.want)
		case tc.reason != "" && (!errors.As(err, &v) || v.Reason != tc.reason):
			t.Errorf("%q: %v, want %s", tc.in, err, tc.reason)
		}
	}
}

func FuzzParseContactWindow(f *testing.F) {
	for _, s := range []string{"10:00-20:00", "9-18", "с 10 до 20", "24:00-01", "", "-", "1.5-2",
		"10-20 gacha", "soat 10 dan 20 gacha", "19dan keyin", "с 10 до 20 часов", "после 19", "до 12",
		"с 9-ти до 18-ти", "10am-8pm", "с 9 утра до 6 вечера", "12am-12pm", "dan", "ч-ч", "soat", "gacha keyin"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		w, err := ParseContactWindow(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || w != (ContactWindow{}) {
				t.Fatalf("ParseContactWindow(%q) = %v, %v", in, w, err)
			}
			return
		}
		if w.Any() {
			return // "0-24": the whole day
		}
		if w.From < 0 || w.From >= 24*60 || w.To < 0 || w.To >= 24*60 || w.Length() < minContactWindow {
			t.Fatalf("ParseContactWindow(%q) = %+v", in, w)
		}
		if again, err := ParseContactWindow(w.String()); err != nil || again != w {
			t.Fatalf("re-parse of %q = %+v, %v", w.String(), again, err)
		}
	})
}

// TestContactWindowNarrowsQuietHours: a window with less than an hour
// outside the quiet hours is refused, and the presets it would refuse are
// not offered.
func TestContactWindowNarrowsQuietHours(t *testing.T) {
	s := &Service{Business: &Business{Nudges: NudgeConfig{QuietStart: 21 * 60, QuietEnd: 10 * 60}}}
	for _, tc := range []struct {
		w  ContactWindow
		ok bool
	}{
		{ContactWindow{}, true},
		{ContactWindow{From: 9 * 60, To: 12 * 60}, true},
		{ContactWindow{From: 18 * 60, To: 21 * 60}, true},
		{ContactWindow{From: 20 * 60, To: 21 * 60}, true},
		{ContactWindow{From: 20*60 + 1, To: 23 * 60}, false},
		{ContactWindow{From: 22 * 60, To: 8 * 60}, false},
		{ContactWindow{From: 22 * 60, To: 11 * 60}, true},
	} {
		err := s.CheckContactWindow(tc.w)
		var v *ValidationError
		if tc.ok != (err == nil) || (err != nil && (!errors.As(err, &v) || v.Reason != "error.settings.window.quiet")) {
			t.Errorf("%s: %v, want ok %v", tc.w, err, tc.ok)
		}
	}
	s.Business.Nudges.QuietStart, s.Business.Nudges.QuietEnd = 18*60+30, 12*60
	var ids []string
	for _, p := range s.ContactPresets() {
		ids = append(ids, p.ID)
	}
	if got := ids; len(got) != 2 || got[0] != "day" || got[1] != "any" {
		t.Errorf("presets under quiet hours 18:30-12:00: %v, want day and any", got)
	}
}

// TestRequestTimeWaitsForTheWindow: a feedback request waits for the
// customer's window; with none it is RequestTime.
func TestRequestTimeWaitsForTheWindow(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	c := DefaultFeedback()
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, msk) }
	evening := ContactWindow{From: 18 * 60, To: 21 * 60}
	morning := ContactWindow{From: 9 * 60, To: 12 * 60}
	for _, tc := range []struct {
		bought time.Time
		w      ContactWindow
		want   time.Time
	}{
		{at(22, 12, 0), ContactWindow{}, at(22, 14, 0)},
		{at(22, 12, 0), evening, at(22, 18, 0)},
		{at(22, 16, 30), evening, at(22, 18, 30)},
		{at(22, 19, 30), evening, at(23, 18, 0)},
		{at(22, 12, 0), morning, at(23, 9, 0)},
		{at(22, 8, 0), morning, at(22, 10, 0)},
	} {
		if got := c.RequestTimeIn(tc.bought, msk, msk, tc.w); !got.Equal(tc.want) {
			t.Errorf("bought %s, window %s: asked %s, want %s", tc.bought.Format("02 15:04"), tc.w,
				got.In(msk).Format("02 15:04"), tc.want.Format("02 15:04"))
		}
	}
}
