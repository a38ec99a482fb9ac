package domain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// LedgerGoodwill is the points an owner gives to make up for a bad visit.
const LedgerGoodwill LedgerKind = "goodwill"

// FeedbackDue is a purchase whose "How was your visit?" may be queued:
// its delay has passed, the customer is reachable, the visit is not rated
// yet, and the customer had no request within the period.
type FeedbackDue struct {
	PurchaseID int64
	PublicID   string
	CustomerID int64
	ChatID     int64
	Language   string
	ShopID     int64
	CreatedAt  time.Time
	// Window is the customer's own time for messages (/settings): the
	// request waits for it, as a nudge does.
	Window ContactWindow
	// TimeZone is the customer's own store's, the clock of Window (""
	// for a customer without one: the business's).
	TimeZone string
}

// feedbackLookback bounds how far back the job looks for visits it has
// not asked about (a day of downtime is caught up; older visits are not
// worth asking about any more).
const feedbackLookback = 24 * time.Hour

// feedbackChunk is how many visits' requests the feedback job queues in
// one transaction.
const feedbackChunk = 100

// The feedback job does not walk the whole lookback every minute: a day
// of purchases is tens of thousands at a busy chain (under the chat load,
// with the job every second, the walk grew to 48 ms and 55,000 pages a
// run after 7 minutes, and the bot's throughput sank with it). A run
// walks from where the previous one left off, less feedbackSettle for
// purchases still committing; the whole lookback once an hour, and at a
// process's first run, catches what changed behind the cursor (a
// customer reachable again, a purchase a register sends hours late, one
// that committed later than the margin).
//
// The margin matters only when a shop asks at once (a delay of hours
// leaves every purchase long committed when the walk reaches it). A
// purchase reads its time as its transaction starts and commits within
// that transaction's length: a checkout's whole round, the cashier's tap
// to the edit back, has its p99 at 0.1–0.5 s under the chat load on a
// slow VM. Ten seconds covers that and a stall; a margin of a minute
// made each run walk a minute of purchases again, about 8,400 under the
// load's 140 a second: 65 ms and 47,000 pages a run, 8 % of PostgreSQL's
// time with the load running the job every second (pg_stat_statements).
const (
	feedbackSettle    = 10 * time.Second
	feedbackFullEvery = time.Hour
)

// feedbackCursor is the job's walk: where the next one starts, and when
// the last whole one ran (by the business clock).
type feedbackCursor struct {
	mu   sync.Mutex
	from time.Time
	full time.Time
}

// span returns the purchases' times the run at now walks, (from, to],
// and whether it is a whole lookback.
func (c *feedbackCursor) span(now, to time.Time) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	from := to.Add(-feedbackLookback)
	if c.full.IsZero() || now.Sub(c.full) >= feedbackFullEvery || now.Before(c.full) ||
		c.from.Before(from) || c.from.After(to) {
		return from, true
	}
	return c.from, false
}

// done records a walk of (from, to] that found dues (or limit of them,
// when full): the next starts before the earliest of them (the same
// customer's later visits wait for a run of their own) and at most
// feedbackSettle before to, or again at from when the walk was cut short.
func (c *feedbackCursor) done(now, from, to time.Time, whole bool, dues []FeedbackDue, cut bool) {
	next := to.Add(-feedbackSettle)
	for _, d := range dues {
		// A microsecond before: the walk takes times after its start.
		if before := d.CreatedAt.Add(-time.Microsecond); before.Before(next) {
			next = before
		}
	}
	if cut || next.Before(from) {
		next = from
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.from = next
	if whole {
		c.full = now
	}
}

// QueueFeedbackRequests is the feedback job (every minute): one
// set-based query finds the visits whose delay has passed and that were
// not asked about, and each gets its request queued for the time the
// config picks (out of quiet hours in the store's zone, inside the
// customer's own window), at most one per customer per period. It runs
// apart from the purchase, which then costs nothing more; it reports how
// many requests it queued. render builds the message for a visit.
func (s *Service) QueueFeedbackRequests(ctx context.Context, st Store, render func(d FeedbackDue, shop *Shop) (json.RawMessage, error)) (int, error) {
	cfg := s.Business.Feedback
	now := s.Now()
	to := now.Add(-cfg.Delay)
	from, whole := s.feedbackWalk.span(now, to)
	const limit = 1000
	var dues []FeedbackDue
	err := st.Update(ctx, func(tx Tx) (err error) {
		dues, err = tx.ListFeedbackDue(ctx, from, to,
			cfg.Delay-time.Duration(cfg.MinDaysBetween)*24*time.Hour, limit)
		return err
	})
	if err != nil {
		return 0, err
	}
	// Every visit found counts, queued or failed below: the next walk
	// starts before the earliest, so a failure is tried again.
	s.feedbackWalk.done(now, from, to, whole, dues, len(dues) >= limit)
	// A transaction queues a chunk of visits: one round trip and one
	// commit for up to feedbackChunk requests, where a transaction each
	// (waiting its turn behind the chats' updates on a busy machine) kept
	// the job to about 13 requests a second under the chat load. A visit
	// that cannot be rendered (a store gone from the config, say) is
	// reported and left out; should the chunk's commit fail, each of its
	// visits is tried again in a transaction of its own, so that one
	// that cannot be queued holds up no other.
	n := 0
	var failed []error
	queue := func(tx Tx, d FeedbackDue) error {
		shop, loc, err := s.shop(ctx, tx, d.ShopID)
		if err != nil {
			return err
		}
		payload, err := render(d, shop)
		if err != nil {
			return err
		}
		wloc := s.Business.Location()
		if d.TimeZone != "" {
			if l, err := time.LoadLocation(d.TimeZone); err == nil {
				wloc = l
			}
		}
		due := cfg.RequestTimeIn(d.CreatedAt, loc, wloc, d.Window)
		payloads, err := s.heldPayloads(due, now, func(lang string) (json.RawMessage, error) {
			other := d
			other.Language = lang
			return render(other, shop)
		})
		if err != nil {
			return err
		}
		return tx.QueueFeedbackRequest(ctx, FeedbackRequest{
			PurchasePublicID: d.PublicID, CustomerID: d.CustomerID, Due: due,
			After: due.AddDate(0, 0, -cfg.MinDaysBetween),
		}, OutMessage{ChatID: d.ChatID, Payload: payload, Payloads: payloads, NotBefore: due})
	}
	report := func(d FeedbackDue, err error) error {
		return fmt.Errorf("feedback request for purchase %s: %w", d.PublicID, err)
	}
	for chunk := range slices.Chunk(dues, feedbackChunk) {
		var queued int
		var left []error
		err := st.Update(ctx, func(tx Tx) error {
			queued, left = 0, nil
			for _, d := range chunk {
				if err := queue(tx, d); err != nil {
					left = append(left, report(d, err))
					continue
				}
				queued++
			}
			return nil
		})
		if err == nil {
			n += queued
			failed = append(failed, left...)
			continue
		}
		for _, d := range chunk {
			if err := st.Update(ctx, func(tx Tx) error { return queue(tx, d) }); err != nil {
				failed = append(failed, report(d, err))
				continue
			}
			n++
		}
	}
	return n, errors.Join(failed...)
}

// shop reads a store and its time zone once per process: stores come from
// the business config and do not change while it runs.
// Shop is the store with this id and its time zone, read once per
// process (shop).
func (s *Service) Shop(ctx context.Context, tx Tx, id int64) (*Shop, *time.Location, error) {
	return s.shop(ctx, tx, id)
}

func (s *Service) shop(ctx context.Context, tx Tx, id int64) (*Shop, *time.Location, error) {
	s.shopsMu.Lock()
	defer s.shopsMu.Unlock()
	if sh, ok := s.shops[id]; ok {
		return sh.shop, sh.loc, nil
	}
	shop, err := tx.FindShopByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	loc, err := time.LoadLocation(shop.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	if s.shops == nil {
		s.shops = map[int64]cachedShop{}
	}
	s.shops[id] = cachedShop{shop, loc}
	return shop, loc, nil
}

// ShopIDByCode is the id of the store with this code, read once per
// process: stores are synced from the config at start and keep their ids.
func (s *Service) ShopIDByCode(ctx context.Context, tx Tx, code string) (int64, error) {
	s.shopsMu.Lock()
	defer s.shopsMu.Unlock()
	if id, ok := s.shopIDs[code]; ok {
		return id, nil
	}
	shop, err := tx.FindShopByCode(ctx, code)
	if err != nil {
		return 0, err
	}
	if s.shopIDs == nil {
		s.shopIDs = map[string]int64{}
	}
	s.shopIDs[code] = shop.ID
	return shop.ID, nil
}

type cachedShop struct {
	shop *Shop
	loc  *time.Location
}

// LastVisit is the customer's newest purchase not cancelled, the one
// /feedback rates (ErrNotFound when there is none).
func (s *Service) LastVisit(ctx context.Context, tx Tx, c *Customer) (*Purchase, error) {
	return tx.LastPurchaseOf(ctx, c.ID)
}

// withdrawRatingRequest is the reaction that takes back a visit's rating
// request still waiting to go (held for the quiet hours): the visit was
// rated meanwhile through /feedback, or cancelled (or returned in full).
func (s *Service) withdrawRatingRequest(ctx context.Context, tx Tx, ev Event) error {
	var id int64
	switch e := ev.(type) {
	case FeedbackGiven:
		if e.Previous != 0 || e.Purchase == nil {
			return nil // a change of stars: the request went, or was taken back, at the first
		}
		id = e.Purchase.ID
	case PurchaseCancelled:
		id = e.Result.Purchase.ID
	case PurchaseReturned:
		if !e.Result.Purchase.Cancelled() {
			return nil
		}
		id = e.Result.Purchase.ID
	default:
		return nil
	}
	return tx.WithdrawFeedbackRequest(ctx, id, s.Now())
}

// RateVisit records the customer's stars for one of their purchases: one
// rating per purchase, which may be changed within FeedbackChangeWindow
// (ErrFeedbackFinal after). It records FeedbackGiven, whose reaction
// alerts the owners of a low rating in this very transaction.
func (s *Service) RateVisit(ctx context.Context, tx Tx, c *Customer, publicID string, stars int) (*Feedback, error) {
	if stars < 1 || stars > 5 {
		return nil, fmt.Errorf("%w: %d stars", ErrInvalid, stars)
	}
	p, err := tx.FindPurchaseByPublicID(ctx, publicID)
	if err != nil {
		return nil, err
	}
	if c == nil || p.CustomerID != c.ID || p.Cancelled() {
		return nil, ErrNotFound
	}
	now := s.Now()
	f, err := tx.FindFeedbackByPurchase(ctx, p.ID)
	previous := 0
	switch {
	case errors.Is(err, ErrNotFound):
		f = &Feedback{PurchaseID: p.ID, CustomerID: c.ID, ShopID: p.ShopID, StaffID: p.StaffID, CreatedAt: now}
	case err != nil:
		return nil, err
	case now.Sub(f.CreatedAt) > FeedbackChangeWindow:
		return f, ErrFeedbackFinal
	default:
		previous = f.Stars
	}
	if previous == stars {
		return f, nil
	}
	f.Stars, f.UpdatedAt = stars, now
	if err := tx.SaveFeedback(ctx, f); err != nil {
		return nil, err
	}
	return f, s.emit(ctx, tx, FeedbackGiven{Feedback: f, Purchase: p, Customer: c, Previous: previous})
}

// CommentVisit adds the customer's words to their rating of a purchase,
// within the same window as changing it. A purchase cancelled since the
// stars is ErrNotFound, as for RateVisit: it is no visit any more, and
// the owners are not alerted about it. One returned in full was a visit
// whose rating counts: the words, often why it came back, go with it.
func (s *Service) CommentVisit(ctx context.Context, tx Tx, c *Customer, publicID, comment string) (*Feedback, error) {
	p, err := tx.FindPurchaseByPublicID(ctx, publicID)
	if err != nil {
		return nil, err
	}
	if c == nil || p.CustomerID != c.ID || (p.Cancelled() && !p.ReturnedInFull()) {
		return nil, ErrNotFound
	}
	f, err := tx.FindFeedbackByPurchase(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if now.Sub(f.CreatedAt) > FeedbackChangeWindow {
		return f, ErrFeedbackFinal
	}
	f.Comment, f.UpdatedAt = comment, now
	if err := tx.SaveFeedback(ctx, f); err != nil {
		return nil, err
	}
	return f, s.emit(ctx, tx, FeedbackGiven{Feedback: f, Purchase: p, Customer: c, Previous: f.Stars, Commented: true})
}

// RateStore records the customer's stars for a store in general, with no
// visit: any member may give one, bought or not. A second rating of the
// same store within FeedbackChangeWindow of the first changes it; after
// the window a rating is a new one (opinions of a store change, and the
// digest counts each day's). The store must be one of the business
// config's (ErrNotFound otherwise, as for a stale button). It records
// FeedbackGiven, whose reaction alerts the owners of a low rating.
func (s *Service) RateStore(ctx context.Context, tx Tx, c *Customer, storeCode string, stars int) (*Feedback, error) {
	if stars < 1 || stars > 5 {
		return nil, fmt.Errorf("%w: %d stars", ErrInvalid, stars)
	}
	shop, err := s.configuredShop(ctx, tx, c, storeCode)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	f, err := tx.FindGeneralFeedback(ctx, c.ID, shop.ID, now.Add(-FeedbackChangeWindow))
	previous := 0
	switch {
	case errors.Is(err, ErrNotFound):
		f = &Feedback{CustomerID: c.ID, ShopID: shop.ID, CreatedAt: now}
	case err != nil:
		return nil, err
	default:
		previous = f.Stars
	}
	if previous == stars {
		return f, nil
	}
	f.Stars, f.UpdatedAt = stars, now
	if err := tx.SaveFeedback(ctx, f); err != nil {
		return nil, err
	}
	return f, s.emit(ctx, tx, FeedbackGiven{Feedback: f, Customer: c, Previous: previous})
}

// CommentStore adds the customer's words to their current general rating
// of a store; ErrFeedbackFinal when its window has passed meanwhile.
func (s *Service) CommentStore(ctx context.Context, tx Tx, c *Customer, storeCode, comment string) (*Feedback, error) {
	shop, err := s.configuredShop(ctx, tx, c, storeCode)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	f, err := tx.FindGeneralFeedback(ctx, c.ID, shop.ID, now.Add(-FeedbackChangeWindow))
	if errors.Is(err, ErrNotFound) {
		return nil, ErrFeedbackFinal
	}
	if err != nil {
		return nil, err
	}
	f.Comment, f.UpdatedAt = comment, now
	if err := tx.SaveFeedback(ctx, f); err != nil {
		return nil, err
	}
	return f, s.emit(ctx, tx, FeedbackGiven{Feedback: f, Customer: c, Previous: f.Stars, Commented: true})
}

// configuredShop is a store of the business config by code, for a member
// to rate: a store dropped from the config (its row stays for history)
// or someone not in the program is ErrNotFound.
func (s *Service) configuredShop(ctx context.Context, tx Tx, c *Customer, code string) (*Shop, error) {
	if _, ok := s.Business.Store(code); !c.Member() || !ok {
		return nil, ErrNotFound
	}
	return tx.FindShopByCode(ctx, code)
}

// ErrHandledByOther means another owner or manager handled the rating
// first; a *HandledError names them.
var ErrHandledByOther = errors.New("handled by someone else")

// HandledError says who handled a rating, for the others' taps.
type HandledError struct {
	By         *Staff
	Resolution string
	At         time.Time
}

func (e *HandledError) Error() string { return "handled by " + e.By.FirstName + ": " + e.Resolution }

// Unwrap makes errors.Is(err, ErrHandledByOther) work.
func (e *HandledError) Unwrap() error { return ErrHandledByOther }

// TakeFeedback is an owner's or a manager's tap on a low-rating alert: it
// locks the rating, checks their right to it (owners everywhere, managers
// their store), and records them as its handler the first time (a tap
// on Reply, ResolutionWillReply, only checks). When someone else handled
// it already it fails with a *HandledError, so only one apology goes out
// however many owners tap.
func (s *Service) TakeFeedback(ctx context.Context, tx Tx, st *Staff, feedbackID int64, resolution string) (*Feedback, error) {
	f, err := tx.LockFeedback(ctx, feedbackID)
	if err != nil {
		return nil, err
	}
	if !st.CanManage() || (st.ShopID != 0 && st.ShopID != f.ShopID) {
		return nil, ErrNotFound
	}
	if f.HandledBy != 0 && f.HandledBy != st.ID {
		by, err := tx.FindStaffByID(ctx, f.HandledBy)
		if err != nil {
			return nil, err
		}
		if by.AnswersAt(f.ShopID) && !by.Unreachable {
			return f, &HandledError{By: by, Resolution: f.Resolution, At: f.HandledAt}
		}
		// Whoever handled it lost their access (revoked, hired back as a
		// cashier, or moved to another store) or blocked the bot (their
		// customer's answers go to the owners): the thread passes to the
		// one who takes it now, or the customer is left unheard.
		f.HandledBy = 0
	}
	if resolution == ResolutionGoodwill && !f.Low(s.Business.Feedback) {
		// Raised since the alert (a mis-tap put right): the alert's
		// "Give N points" is stale.
		return f, ErrFeedbackNotLow
	}
	replying := resolution == ResolutionReplied || resolution == ResolutionWillReply
	if replying || resolution == ResolutionGoodwill {
		c, err := tx.FindCustomerByID(ctx, f.CustomerID)
		if err != nil {
			return nil, err
		}
		if c.Erased {
			return f, ErrCustomerErased
		}
		if resolution == ResolutionGoodwill && st.OwnCard(c) {
			// A manager's own low rating: nobody gives themselves
			// points, as at the register (AdjustPoints).
			return f, Invalid("alert.feedback.own")
		}
		if replying && (c.Unreachable || c.ChatID == 0) {
			return f, ErrCustomerUnreachable
		}
	}
	if resolution == ResolutionWillReply {
		return f, nil
	}
	// The first handling is recorded, Resolved, and a reply or points
	// after Resolved (a change of mind): the customer got an answer.
	if f.HandledBy == 0 || resolution == ResolutionResolved || f.Resolution == ResolutionResolved {
		f.HandledBy, f.HandledAt, f.Resolution = st.ID, s.Now(), resolution
		if err := tx.MarkFeedbackHandled(ctx, f.ID, st.ID, resolution, f.HandledAt); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// GiveGoodwill credits the configured apology points for a rating, once
// per rating (its idempotency key), through the ledger. created is false
// when they were given before.
func (s *Service) GiveGoodwill(ctx context.Context, tx Tx, st *Staff, feedbackID int64) (*Feedback, LedgerEntry, bool, error) {
	f, err := s.TakeFeedback(ctx, tx, st, feedbackID, ResolutionGoodwill)
	if err != nil {
		return f, LedgerEntry{}, false, err
	}
	points := s.Business.Feedback.Goodwill
	if points <= 0 {
		return f, LedgerEntry{}, false, fmt.Errorf("%w: no goodwill points configured", ErrInvalid)
	}
	card, err := tx.FindCardByCustomer(ctx, f.CustomerID)
	if err != nil {
		return f, LedgerEntry{}, false, err
	}
	c, err := tx.FindCustomerByID(ctx, f.CustomerID)
	if err != nil {
		return f, LedgerEntry{}, false, err
	}
	row, created, err := s.creditKept(ctx, tx, card, c, LedgerEntry{CardID: card.ID, Kind: LedgerGoodwill, Amount: points,
		Reason: fmt.Sprintf("feedback %d", f.ID), IdempotencyKey: fmt.Sprintf("goodwill:%d", f.ID)})
	return f, row, created, err
}

// FeedbackDigest: the ratings of a day, per store and cashier, for the
// owners' evening summary (good ratings are summarized, not alerted).
type FeedbackDigest struct {
	From, To time.Time
	Stats    []FeedbackStat
	// Open are the questions to the shop of the last week nobody
	// answered or marked, oldest first.
	Open []OpenInquiry
	// Zone is the time zone whose evening it is (empty: the first
	// store's). The first store's evening is the owners' (all stores)
	// and its stores' managers'; another zone's is only for the
	// managers of its stores (see DigestZones).
	Zone string
}

func (FeedbackDigest) eventName() string { return "feedback_digest" }

// DigestFeedback summarizes the ratings given since the last digest ran
// (the 24 hours before now for the first), with the last week's
// questions to the shop nobody answered, and records FeedbackDigest for
// the owners (nothing when there is neither: an empty digest is noise),
// once however many replicas run it for the same tick. It reports how many ratings it counted.
func (s *Service) DigestFeedback(ctx context.Context, st Store) (int, error) {
	return s.DigestFeedbackIn(ctx, st, s.Business.HomeZone())
}

// DigestFeedbackIn is DigestFeedback at zone's evening: the first
// store's (HomeZone) covers every store, for the owners; another zone's
// only its stores, for their managers. Each zone's digest takes up from
// where its own last one ended (job DigestJob(zone)), so each rating is
// counted once in each reader's digests.
func (s *Service) DigestFeedbackIn(ctx context.Context, st Store, zone string) (int, error) {
	to := s.Now()
	var from time.Time
	n := 0
	job := s.Business.DigestJob(zone)
	home := zone == s.Business.HomeZone()
	err := st.Update(ctx, func(tx Tx) error {
		// Each rating in one digest: from where the last one ended, not
		// the 24 hours before this run, which a run a few seconds later
		// in its minute than the last, a catch-up after downtime or a
		// day of 23 or 25 hours (the clocks changing) made overlap or
		// leave a gap.
		last, err := tx.LastJobRanAt(ctx, job)
		if err != nil {
			return err
		}
		if last.IsZero() && !home {
			// A zone with no evening of its own yet (new to the config,
			// or the digest before each zone had its own) whose evening
			// comes before the first store's: its managers had the
			// ratings up to the first store's last digest in it.
			if last, err = tx.LastJobRanAt(ctx, JobFeedbackDigest); err != nil {
				return err
			}
		}
		from = to.Add(-24 * time.Hour)
		if !last.IsZero() && last.Before(to) {
			from = last
		}
		// Once a tick: the replicas' ticks of one minute are one run.
		// The minute it started, never the nearest: a catch-up run in
		// the 30 s before a tick must not record that tick as done.
		if first, err := tx.MarkJobRun(ctx, job, to.Truncate(time.Minute), to); err != nil || !first {
			return err
		}
		if home {
			// A zone whose evening has no record yet (a store's zone
			// new to the config, or the digest before it went out at
			// each zone's evening): its managers had the ratings to
			// from in the first store's digest, so its own takes up
			// from there, its next tick being after now. (The first
			// digest of all marks them too, so that a zone without a
			// record means one whose managers read the first store's.)
			for _, z := range s.Business.DigestZones()[1:] {
				j := s.Business.DigestJob(z)
				if ran, err := tx.LastJobRanAt(ctx, j); err != nil {
					return err
				} else if ran.IsZero() {
					// Marked done for the minute before this one: a zone on
					// the same clock (Minsk beside Moscow) has its evening
					// in this very minute, which must still run.
					if _, err := tx.MarkJobRun(ctx, j, to.Truncate(time.Minute).Add(-time.Minute), from); err != nil {
						return err
					}
				}
			}
		}
		stats, err := tx.FeedbackStats(ctx, from, to)
		if err != nil {
			return err
		}
		open, err := tx.ListOpenInquiries(ctx, to.AddDate(0, 0, -openInquiryDays), to)
		if err != nil {
			return err
		}
		if !home {
			// Another zone's evening: its stores' ratings and questions
			// (and those of no store, which their managers answer too).
			inZone := map[int64]bool{0: true}
			in := func(shopID int64) (bool, error) {
				if ok, seen := inZone[shopID]; seen {
					return ok, nil
				}
				shop, err := tx.FindShopByID(ctx, shopID)
				if err != nil {
					return false, err
				}
				inZone[shopID] = s.Business.ZoneOf(shop.TimeZone) == zone
				return inZone[shopID], nil
			}
			var keep []FeedbackStat
			for _, x := range stats {
				if ok, err := in(x.ShopID); err != nil {
					return err
				} else if ok && x.ShopID != 0 {
					keep = append(keep, x)
				}
			}
			var asked []OpenInquiry
			for _, q := range open {
				if ok, err := in(q.ShopID); err != nil {
					return err
				} else if ok {
					asked = append(asked, q)
				}
			}
			stats, open = keep, asked
		}
		if len(stats) == 0 && len(open) == 0 {
			return nil
		}
		for _, x := range stats {
			n += x.Count
		}
		return s.emit(ctx, tx, FeedbackDigest{From: from, To: to, Stats: stats, Open: open, Zone: zone})
	})
	return n, err
}

// Average is the mean rating to one decimal, in tenths (42 is 4.2), by
// integer arithmetic rounded half up.
func (x FeedbackStat) Average() int {
	if x.Count == 0 {
		return 0
	}
	return (x.Stars*20 + x.Count) / (2 * x.Count)
}
