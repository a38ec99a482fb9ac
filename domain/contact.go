package domain

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ContactWindow is the time of day a customer wants to hear from the
// business (/settings, the seeds' "when the customer can be contacted"):
// minutes after midnight in their store's time zone, [From, To), across
// midnight when To < From. From == To: any time, the store's quiet hours
// alone. It narrows the quiet hours of every scheduled message
// (NextContactTime): nudges and the feedback request.
type ContactWindow struct{ From, To int }

// Any reports whether the customer set no window.
func (w ContactWindow) Any() bool { return w.From == w.To }

// String is "09:00-12:00", or "" for any time.
func (w ContactWindow) String() string {
	if w.Any() {
		return ""
	}
	return ClockText(w.From) + "-" + ClockText(w.To)
}

// Length is the window's length in minutes (a whole day for any time).
func (w ContactWindow) Length() int {
	if w.Any() {
		return 24 * 60
	}
	return (w.To - w.From + 24*60) % (24 * 60)
}

// ClockText writes minutes after midnight as "HH:MM", the way windows and
// quiet hours are shown and typed.
func ClockText(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// ContactPreset is a window offered by a button in /settings; its id is
// in the button's data and the message "settings.window.<id>".
type ContactPreset struct {
	ID     string
	Window ContactWindow
}

// ContactPresets are the windows /settings offers before "other time":
// morning, day and evening, then any time.
var ContactPresets = []ContactPreset{
	{ID: "morning", Window: ContactWindow{From: 9 * 60, To: 12 * 60}},
	{ID: "day", Window: ContactWindow{From: 12 * 60, To: 18 * 60}},
	{ID: "evening", Window: ContactWindow{From: 18 * 60, To: 21 * 60}},
	{ID: "any", Window: ContactWindow{}},
}

// minContactWindow is the shortest window a customer may set, and how
// much of it must lie outside the quiet hours: a message waits for it at
// most a day, and a few minutes' window is more likely a typo than a wish.
const minContactWindow = 60

// windowSeparators makes the separators people type between two times
// (dashes, "to", "till", "until", "до", "по") one "-" and drops spaces.
var windowSeparators = strings.NewReplacer("–", "-", "—", "-", "−", "-", " to ", "-", " till ", "-", " until ", "-",
	" до ", "-", " по ", "-", " ", "")

// windowNoise is what people write around an hour that says nothing
// about it: "20 часов", "20 ч.", "10-ти", "10h" after it, "soat 10"
// (Uzbek, also in Cyrillic) before it.
var windowNoise = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(\d)\s*(?:-ти|часов|часа|час|ч\.?|h)(\s|-|–|—|$)`), "$1$2"},
	{regexp.MustCompile(`(?:soat|соат)\s*(\d)`), "$1"},
	// Uzbek "dan" ("from") ends the first time, with or without a space.
	{regexp.MustCompile(`(\d)\s*(?:dan|дан)\s*`), "$1-"},
}

// anyTimeWords are "any time" as people type it instead of two times,
// in the languages the bot speaks: the whole day, as "0-24".
var anyTimeWords = map[string]bool{
	"any": true, "any time": true, "anytime": true, "at any time": true, "always": true,
	"любое": true, "любое время": true, "в любое время": true, "всегда": true, "круглосуточно": true,
	"istalgan": true, "istalgan vaqt": true, "istalgan vaqtda": true, "har doim": true,
}

// ParseContactWindow reads a window as people type it: "10:00-20:00",
// "9-18", "9.30 – 12", "с 10 до 20", "с 10 по 20", "с 10 до 20 часов",
// "from 10 till 20", "10am-8pm", "с 9 утра до 6 вечера", "9-5" and
// "с 8 до 5" (a bare end hour 1-9 before the start, or the same as it,
// is the afternoon's: 09:00-17:00, "с 9 до 9" 09:00-21:00; afternoonEnd),
// "10 dan 20 gacha", "soat 10 dan 20 gacha", "10-20 gacha" (Uzbek);
// 24:00 may end it, and "0-24" is the whole day (any time), as are
// "any time", "в любое время", "istalgan vaqtda" (anyTimeWords). One end
// alone runs to or from midnight: "после 19", "с 19", "after 7pm",
// "19 dan keyin", "19dan"; "до 12", "before 12", "12 gacha".
// Reasons (*ValidationError): "error.settings.window.format" (not two
// times of day), "error.settings.window.short" (the same time twice or
// under an hour).
func ParseContactWindow(s string) (ContactWindow, error) {
	bad := func(detail string) error {
		return &ValidationError{Reason: "error.settings.window.format", Detail: detail}
	}
	if len(s) > 64 {
		return ContactWindow{}, bad("too long")
	}
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	if anyTimeWords[strings.TrimRight(s, ".!")] {
		return ContactWindow{}, nil // "any time", as its button
	}
	// One end only: "после 19" runs to midnight, "до 12" from it.
	if rest, ok := strings.CutSuffix(s, "keyin"); ok {
		s = strings.TrimSpace(rest) // "19 dan keyin": "19 dan", from 19
	} else if rest, ok := strings.CutSuffix(s, "кейин"); ok {
		s = strings.TrimSpace(rest)
	}
	until := false
	for _, gacha := range []string{"gacha", "гача"} {
		if rest, ok := strings.CutSuffix(s, gacha); ok {
			s, until = strings.TrimSpace(rest), true
		}
	}
	for _, n := range windowNoise {
		s = n.re.ReplaceAllString(s, n.with)
	}
	open := false // "с 19", "after 19", "19 dan": from 19 on
	for _, prefix := range []string{"from ", "с ", "c ", "после ", "after "} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			s, open = rest, true
			break
		}
	}
	for _, before := range []string{"до ", "before ", "until ", "till "} {
		if rest, ok := strings.CutPrefix(s, before); ok {
			s, until = rest, true
		}
	}
	s = windowSeparators.Replace(s)
	if rest, ok := strings.CutSuffix(s, "-"); ok {
		s, open = rest, true // "19 dan"
	}
	switch {
	case strings.Contains(s, "-"):
	case until && !open:
		s = "0-" + s // "до 12", "12 gacha"
	case open && !until:
		s += "-24" // "после 19", "19 dan keyin"
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return ContactWindow{}, bad("no separator")
	}
	from, err := windowClock(a, false)
	if err != nil {
		return ContactWindow{}, bad(err.Error())
	}
	to, err := windowClock(b, true)
	if err != nil {
		return ContactWindow{}, bad(err.Error())
	}
	if afternoonEnd(a, b, from, to) {
		to += 12 * 60 // "9-5", "с 8 до 5": 09:00-17:00, not a night
	}
	w := ContactWindow{From: from, To: to}
	if from == 0 && to == 0 && (strings.HasPrefix(b, "24") || strings.HasPrefix(b, "12am")) {
		return ContactWindow{}, nil // "0-24": the whole day
	}
	if w.Any() || w.Length() < minContactWindow {
		return ContactWindow{}, &ValidationError{Reason: "error.settings.window.short", Detail: w.String()}
	}
	return w, nil
}

// afternoonEnd reports whether the end b of a window read as from-to is
// an afternoon hour typed on a 12-hour clock: "9-5", "с 8 до 5", "1pm-5".
// It is when the end is a bare hour 1-9 without a leading zero or a word
// (not "02", "2am", "2 ночи"), the start is one of a 12-hour clock (up to
// 12:59, or said with am/pm/утра/…) and the end in the afternoon falls
// after it. A night typed on a 24-hour clock ("22-7", "с 22 до 7",
// "10:00-02:00") stays one. The same hour twice ("9-9", "с 9 до 9") is
// a shop's day too: 09:00-21:00.
func afternoonEnd(a, b string, from, to int) bool {
	bare := func(s string) bool { return strings.Trim(s, "0123456789:.") == "" }
	h, _, _ := strings.Cut(strings.ReplaceAll(b, ".", ":"), ":")
	return bare(b) && len(h) == 1 && h != "0" && to <= from && to+12*60 > from &&
		(!bare(a) || from < 13*60)
}

// windowHalves are the words of a 12-hour clock, and the hours (1-12)
// each may go with: what the hour becomes on a 24-hour clock.
var windowHalves = []struct {
	suffix string
	hour   func(h int) (int, bool)
}{
	{"am", func(h int) (int, bool) { return h % 12, h >= 1 && h <= 12 }},
	{"pm", func(h int) (int, bool) { return h%12 + 12, h >= 1 && h <= 12 }},
	{"утра", func(h int) (int, bool) { return h, h >= 4 && h <= 11 }},
	{"дня", func(h int) (int, bool) { return h%12 + 12, h == 12 || h >= 1 && h <= 5 }},
	{"вечера", func(h int) (int, bool) { return h + 12, h >= 4 && h <= 11 }},
	{"ночи", func(h int) (int, bool) {
		if h >= 9 && h <= 11 {
			return h + 12, true
		}
		return h % 12, h == 12 || h >= 1 && h <= 4
	}},
}

// windowClock is parseClock that also reads "8pm", "8:30 p.m." and
// "8 вечера"; an hour the word does not go with ("15pm", "3 вечера") is
// refused.
func windowClock(s string, end bool) (int, error) {
	s = strings.ReplaceAll(s, ".m.", "m")
	for _, half := range windowHalves {
		clock, ok := strings.CutSuffix(s, half.suffix)
		if !ok {
			continue
		}
		m, err := parseClock(clock, false)
		if err != nil {
			return 0, err
		}
		h, ok := half.hour(m / 60)
		if !ok {
			return 0, fmt.Errorf("hour %q", s)
		}
		return h*60 + m%60, nil
	}
	return parseClock(s, end)
}

// parseClock reads "9", "09", "9:30" or "9.30" into minutes after
// midnight; "24" or "24:00" only as an end (midnight).
func parseClock(s string, end bool) (int, error) {
	h, m, hasMin := strings.Cut(s, ":")
	if !hasMin {
		h, m, hasMin = strings.Cut(s, ".")
	}
	if h == "" || len(h) > 2 || (hasMin && len(m) != 2) {
		return 0, fmt.Errorf("time %q", s)
	}
	hour, err := strconv.Atoi(h)
	if err != nil || hour < 0 {
		return 0, fmt.Errorf("hour %q", h)
	}
	minute := 0
	if hasMin {
		if minute, err = strconv.Atoi(m); err != nil || minute < 0 || minute > 59 {
			return 0, fmt.Errorf("minute %q", m)
		}
	}
	switch {
	case hour == 24 && minute == 0 && end:
		return 0, nil
	case hour > 23:
		return 0, fmt.Errorf("hour %d", hour)
	}
	return hour*60 + minute, nil
}

// minuteIn reports whether minute m of the day is in [a, b), across
// midnight when b < a; a == b is the empty range.
func minuteIn(m, a, b int) bool {
	if a <= b {
		return m >= a && m < b
	}
	return m >= a || m < b
}

// ContactStore keeps each customer's window (customers.contact_from and
// contact_to; the nudge query reads them with the rest of a due customer).
type ContactStore interface {
	// FindContactWindow reads the customer's window (zero: any time).
	FindContactWindow(ctx context.Context, customerID int64) (ContactWindow, error)
	// SetContactWindow saves it; a zero window clears it.
	SetContactWindow(ctx context.Context, customerID int64, w ContactWindow) error
	// RetimeQueuedNudges moves the customer's nudges waiting in chat
	// chatID's outbox for a time after now (and not held by a sender) to
	// at: their message, their send time and their attribution window.
	RetimeQueuedNudges(ctx context.Context, customerID, chatID int64, at, now time.Time) error
	// ListWaitingFeedbackRequests lists the customer's rating requests
	// whose message waits in chat chatID's outbox for a time after now
	// (and is not held by a sender): their visit's store and time.
	ListWaitingFeedbackRequests(ctx context.Context, customerID, chatID int64, now time.Time) ([]WaitingFeedbackRequest, error)
	// RetimeFeedbackRequest moves the rating request of a purchase, if
	// its message still waits in chat chatID's outbox for a time after
	// now (not held by a sender), to at: the message and the request's
	// due time.
	RetimeFeedbackRequest(ctx context.Context, purchaseID, chatID int64, at, now time.Time) error
}

// WaitingFeedbackRequest is a "How was your visit?" waiting in the
// outbox for the quiet hours or the customer's window.
type WaitingFeedbackRequest struct {
	PurchaseID int64
	ShopID     int64     // the store visited: the quiet hours' clock
	VisitAt    time.Time // the visit, which the delay counts from
}

// CheckContactWindow refuses a window with less than an hour outside the
// nudges' quiet hours ("error.settings.window.quiet"): the customer would
// wait for a message that may never come, or get it at night.
func (s *Service) CheckContactWindow(w ContactWindow) error {
	q := s.Business.Nudges
	if w.Any() || q.QuietStart == q.QuietEnd {
		return nil
	}
	open := 0
	for i := range w.Length() {
		if !minuteIn((w.From+i)%(24*60), q.QuietStart, q.QuietEnd) {
			open++
		}
	}
	if open < minContactWindow {
		return &ValidationError{Reason: "error.settings.window.quiet", Detail: w.String()}
	}
	return nil
}

// ContactPresets lists the preset windows that pass CheckContactWindow
// under this business's quiet hours, in order.
func (s *Service) ContactPresets() []ContactPreset {
	var out []ContactPreset
	for _, p := range ContactPresets {
		if s.CheckContactWindow(p.Window) == nil {
			out = append(out, p)
		}
	}
	return out
}

// SetContactWindow saves a member's window for messages, from a preset or
// typed in /settings. It applies to what is scheduled from now on and to
// the nudges and rating requests already waiting for the old window (or
// the quiet hours): they move to the first minute the new window allows
// (a request not before its visit's delay is over), so none goes out in
// a window the customer has given up.
func (s *Service) SetContactWindow(ctx context.Context, tx Tx, c *Customer, w ContactWindow) error {
	if !c.Member() {
		return fmt.Errorf("set contact window: %w: not a member", ErrInvalid)
	}
	if w.From < 0 || w.From >= 24*60 || w.To < 0 || w.To >= 24*60 {
		return fmt.Errorf("set contact window %d-%d: %w", w.From, w.To, ErrInvalid)
	}
	if err := s.CheckContactWindow(w); err != nil {
		return err
	}
	if err := tx.SetContactWindow(ctx, c.ID, w); err != nil {
		return err
	}
	if c.ChatID == 0 {
		return nil
	}
	now, cfg := s.Now(), &s.Business.Nudges
	wloc := s.zoneOf(ctx, tx, c.JoinedStoreID)
	at := NextContactTime(now, wloc, cfg.QuietStart, cfg.QuietEnd, w.From, w.To)
	if err := tx.RetimeQueuedNudges(ctx, c.ID, c.ChatID, at, now); err != nil {
		return err
	}
	return s.retimeFeedbackRequests(ctx, tx, c, w, wloc, now)
}

// retimeFeedbackRequests moves the customer's waiting rating requests to
// the first minute, not before the visit's delay is over nor before now,
// out of the feedback quiet hours at the visited store's clock and inside
// window w at the customer's (wloc), as the feedback job would time them.
func (s *Service) retimeFeedbackRequests(ctx context.Context, tx Tx, c *Customer, w ContactWindow, wloc *time.Location, now time.Time) error {
	reqs, err := tx.ListWaitingFeedbackRequests(ctx, c.ID, c.ChatID, now)
	if err != nil {
		return err
	}
	cfg := &s.Business.Feedback
	for _, r := range reqs {
		_, loc, err := s.shop(ctx, tx, r.ShopID)
		if err != nil {
			return err
		}
		from := r.VisitAt.Add(cfg.Delay)
		if from.Before(now) {
			from = now
		}
		at := NextContactTimeAt(from, loc, cfg.QuietStart, cfg.QuietEnd, wloc, w.From, w.To)
		if err := tx.RetimeFeedbackRequest(ctx, r.PurchaseID, c.ChatID, at, now); err != nil {
			return err
		}
	}
	return nil
}
