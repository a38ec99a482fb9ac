package domain

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// gamify is the domain's reaction for badges and referrals. It runs
// after the other reactions (Reactions.After), so the badge a purchase
// earned is announced after the purchase itself: a first purchase
// completes a referral (both get their bonus), a cancellation or a full
// return that leaves no purchase standing voids it (both bonuses taken
// back as far as they are left, and the referrer's referral badges whose
// count is no longer reached; the next first purchase completes it
// again and earns them back), a purchase may earn the
// purchase badges, a completed section the profile badge, a rating the
// first-review badge, and a completed referral the referrer's badge.
func (s *Service) gamify(ctx context.Context, tx Tx, ev Event) error {
	g := &s.Business.Gamification
	switch ev := ev.(type) {
	case PurchaseRecorded:
		if ev.Result.First {
			if err := s.completeReferral(ctx, tx, ev.Result); err != nil {
				return err
			}
		}
		return s.purchaseBadges(ctx, tx, ev.Result)
	case PurchaseCancelled:
		if err := s.voidReferral(ctx, tx, &ev.Result.Purchase); err != nil {
			return err
		}
		return s.takeBackBadges(ctx, tx, &ev.Result.Purchase)
	case PurchaseReturned:
		if ev.Result.Purchase.Cancelled() { // returned in full
			if err := s.voidReferral(ctx, tx, &ev.Result.Purchase); err != nil {
				return err
			}
			return s.takeBackBadges(ctx, tx, &ev.Result.Purchase)
		}
	case SectionCompleted:
		bs := g.badgesOf(BadgeProfileComplete)
		if len(bs) == 0 {
			return nil
		}
		return s.checkBadges(ctx, tx, ev.CustomerID, nil, bs)
	case FeedbackGiven:
		bs := g.badgesOf(BadgeFirstReview)
		if len(bs) == 0 || ev.Customer == nil || ev.Previous != 0 || ev.Commented {
			return nil
		}
		for _, b := range bs {
			if _, err := s.award(ctx, tx, ev.Customer, b, "", ""); err != nil {
				return err
			}
		}
	case ReferralCompleted:
		bs := g.badgesOf(BadgeReferral)
		if len(bs) == 0 || ev.Referrer == nil {
			return nil
		}
		return s.checkBadges(ctx, tx, ev.Referrer.ID, ev.Referrer, bs)
	}
	return nil
}

// purchaseBadges checks the badges a purchase may earn: first purchase,
// visits, streak and birthday visit, in one read of the customer's record.
func (s *Service) purchaseBadges(ctx context.Context, tx Tx, r *PurchaseResult) error {
	bs := s.purchaseBadgeList()
	c := r.Customer
	if len(bs) == 0 || c == nil || c.Erased {
		return nil
	}
	f := r.badges // read with the card (RecordPurchase)
	if f == nil {
		var err error
		if f, err = tx.BadgeFacts(ctx, s.badgeQuery(c.ID, bs, time.Time{})); err != nil {
			return err
		}
	}
	_, loc, err := s.shop(ctx, tx, r.Purchase.ShopID)
	if err != nil {
		return err
	}
	local := r.Purchase.CreatedAt.In(loc)
	if r.Purchase.CreatedAt.IsZero() {
		local = s.Now().In(loc)
	}
	for _, b := range bs {
		occ := ""
		switch b.Kind {
		case BadgeFirstPurchase:
			if f.Visits < 1 {
				continue
			}
		case BadgeVisits:
			if f.Visits < b.Count {
				continue
			}
		case BadgeStreak:
			if Streak(f.WeeksAgo) < b.Count || !slices.Contains(f.WeeksAgo, 0) {
				continue
			}
		case BadgeBirthdayVisit:
			if !IsBirthday(f.Facts[b.Fact], local) {
				continue
			}
			occ = strconv.Itoa(local.Year())
		}
		if f.Earned(b.ID, occ) {
			continue
		}
		if _, err := s.award(ctx, tx, c, b, occ, r.Purchase.PublicID); err != nil {
			return err
		}
	}
	return nil
}

// checkBadges awards the counted badges (profile, referral) whose count
// the customer's record reaches. c may be nil: it is read when needed.
func (s *Service) checkBadges(ctx context.Context, tx Tx, customerID int64, c *Customer, bs []Badge) error {
	f, err := tx.BadgeFacts(ctx, s.badgeQuery(customerID, bs, time.Time{}))
	if err != nil {
		return err
	}
	for _, b := range bs {
		if f.Earned(b.ID, "") {
			continue
		}
		n, total := s.badgeProgress(b, f)
		if total == 0 || n < total {
			continue
		}
		if c == nil {
			if c, err = tx.FindCustomerByID(ctx, customerID); err != nil {
				return err
			}
		}
		if c.Erased {
			return nil
		}
		if _, err := s.award(ctx, tx, c, b, "", ""); err != nil {
			return err
		}
	}
	return nil
}

// purchaseBadgeList is the badges a purchase may earn.
func (s *Service) purchaseBadgeList() []Badge {
	return s.Business.Gamification.badgesOf(BadgeFirstPurchase, BadgeVisits, BadgeStreak, BadgeBirthdayVisit)
}

// badgeQuery asks for what the badges bs need.
func (s *Service) badgeQuery(customerID int64, bs []Badge, monthStart time.Time) BadgeFactsQuery {
	q := BadgeFactsQuery{CustomerID: customerID, Now: s.Now(), MonthStart: monthStart}
	for _, b := range bs {
		switch b.Kind {
		case BadgeStreak:
			q.Weeks = max(q.Weeks, b.Count+1)
		case BadgeBirthdayVisit:
			if !slices.Contains(q.Facts, b.Fact) {
				q.Facts = append(q.Facts, b.Fact)
			}
		}
	}
	return q
}

// badgeProgress is how far the record is towards a badge: n of total
// (total 0: the badge has no count to show).
func (s *Service) badgeProgress(b Badge, f *BadgeFacts) (n, total int) {
	switch b.Kind {
	case BadgeFirstPurchase:
		return min(f.Visits, 1), 1
	case BadgeVisits:
		return min(f.Visits, b.Count), b.Count
	case BadgeStreak:
		return min(Streak(f.WeeksAgo), b.Count), b.Count
	case BadgeReferral:
		return min(f.Referrals, b.Count), b.Count
	case BadgeFirstReview:
		return min(f.Reviews, 1), 1
	case BadgeProfileComplete:
		if b.Section != "" {
			if slices.Contains(f.Sections, b.Section) {
				return 1, 1
			}
			return 0, 1
		}
		done := 0
		for _, sec := range s.Business.Questionnaire.Sections {
			if slices.Contains(f.Sections, sec.ID) {
				done++
			}
		}
		return done, len(s.Business.Questionnaire.Sections)
	}
	return 0, 0
}

// award records a badge, credits its points once (the idempotency key is
// the badge's, the customer's and the occurrence's) and records
// BadgeEarned. It reports false when the badge was held already. A badge
// earned again after being taken back pays its points less those the
// customer kept then (spent before the take-back: KeepBadgePoints).
func (s *Service) award(ctx context.Context, tx Tx, c *Customer, b Badge, occ, purchase string) (bool, error) {
	now := s.Now()
	a := &BadgeAward{Badge: b.ID, CustomerID: c.ID, Occurrence: occ, Sole: b.Kind == BadgeBiggestReceipt, Points: b.Points,
		At: now, Purchase: purchase}
	ok, err := tx.AwardBadge(ctx, a)
	if err != nil || !ok {
		return false, err
	}
	points := b.Points
	if points > 0 {
		kept, err := tx.TakeKeptBadgePoints(ctx, c.ID, b.ID, occ)
		if err != nil {
			return true, err
		}
		if kept > points { // the badge pays less now than then
			if err := tx.KeepBadgePoints(ctx, c.ID, b.ID, occ, kept-points); err != nil {
				return true, err
			}
		}
		points -= min(kept, points)
		if points != b.Points {
			// The award paid less: a take-back takes back only what it paid.
			if err := tx.SetBadgeAwardPoints(ctx, a.ID, points); err != nil {
				return true, err
			}
			a.Points = points
		}
	}
	if points > 0 {
		// The award's id in the key: a badge taken back with its purchase
		// and earned again is credited again.
		key := badgeKey(b.ID, c.ID, occ, a.ID)
		if _, err := s.creditPromo(ctx, tx, c.ID, LedgerBadge, points, key); err != nil {
			return true, err
		}
	}
	return true, s.emit(ctx, tx, BadgeEarned{Customer: c, Badge: b, Occurrence: occ, Points: points})
}

// badgeKey is the idempotency key of the points of award awardID of a
// badge to a customer.
func badgeKey(badge string, customerID int64, occ string, awardID int64) string {
	return fmt.Sprintf("badge:%s:%d:%s:%d", badge, customerID, occ, awardID)
}

// takeBackBadges takes back the badges a purchase earned, now that it
// is cancelled or returned in full, with their points as far as they
// are left on the card; the next purchase may earn them again.
func (s *Service) takeBackBadges(ctx context.Context, tx Tx, p *Purchase) error {
	awards, err := tx.TakeBackBadges(ctx, p.ID)
	if err != nil || len(awards) == 0 {
		return err
	}
	c, err := tx.FindCustomerByID(ctx, p.CustomerID)
	if err != nil || c.Erased {
		return err
	}
	for _, a := range awards {
		if err := s.takeBackAward(ctx, tx, c, p.CardID, a, p.PublicID, false); err != nil {
			return err
		}
	}
	return nil
}

// takeBackAward takes back the points of an award just deleted, as far
// as they are left on the card (cardID, c's), remembers those spent
// (earned again, the badge pays only the rest) and records
// BadgeTakenBack; referral: it went with a voided referral.
func (s *Service) takeBackAward(ctx context.Context, tx Tx, c *Customer, cardID int64, a BadgeAward, reason string, referral bool) error {
	b, ok := s.Business.Gamification.Badge(a.Badge)
	// What the badge is worth: more than this award paid when points kept
	// from an earlier take-back paid the rest, and they stay remembered.
	full := a.Points
	if ok && b.Points > full {
		full = b.Points
	}
	var taken int64
	if a.Points > 0 {
		// From the award's own lot first: taken from another, that one's
		// points would die at the award's date.
		own, err := tx.OpenLotsOfKeys(ctx, cardID, []string{badgeKey(a.Badge, c.ID, a.Occurrence, a.ID)})
		if err != nil {
			return err
		}
		_, n, created, err := takeBack(ctx, tx, LedgerEntry{CardID: cardID, Kind: LedgerBadge, Amount: -a.Points,
			Reason: reason, IdempotencyKey: fmt.Sprintf("badge:taken-back:%d", a.ID), CreatedAt: s.Now()}, LotPromo, own...)
		if err != nil {
			return err
		}
		if created {
			taken = n
		}
	}
	// The points the card no longer held were spent (now, or at an
	// earlier take-back of the badge): earned again, the badge pays only
	// the rest. (The award row is gone with this take-back, so it is
	// counted once.)
	if kept := full - taken; kept > 0 {
		if err := tx.KeepBadgePoints(ctx, c.ID, a.Badge, a.Occurrence, kept); err != nil {
			return err
		}
	}
	if !ok { // no longer in the config: nothing to name
		return nil
	}
	return s.emit(ctx, tx, BadgeTakenBack{Customer: c, Badge: b, Occurrence: a.Occurrence, Points: taken, Referral: referral})
}

// creditPromo credits promo points to a customer's card once per key;
// they expire with the welcome bonus's term, like every other gift.
func (s *Service) creditPromo(ctx context.Context, tx Tx, customerID int64, kind LedgerKind, points int64, key string) (bool, error) {
	_, created, err := s.creditGift(ctx, tx, customerID, LedgerEntry{Kind: kind, Amount: points, IdempotencyKey: key})
	return created, err
}

// creditGift credits e (its card found by the customer) as promo points
// that expire with the welcome bonus's term, like every gift: a badge's,
// a profile section's, a code word's.
func (s *Service) creditGift(ctx context.Context, tx Tx, customerID int64, e LedgerEntry) (LedgerEntry, bool, error) {
	card, err := tx.FindCardByCustomer(ctx, customerID)
	if err != nil {
		return LedgerEntry{}, false, err
	}
	e.CardID = card.ID
	if d := s.Business.WelcomeBonusDays; d > 0 {
		c, err := tx.FindCustomerByID(ctx, customerID)
		if err != nil {
			return LedgerEntry{}, false, err
		}
		e.ExpiresAt = LastDayEnd(s.Now(), d, s.zoneOf(ctx, tx, c.JoinedStoreID))
	}
	return Credit(ctx, tx, e, LotPromo)
}

// AwardMonthlyBadges is the daily badge job: for each store, the biggest
// receipt of the month before (in the store's time zone) earns its
// customer the biggest-receipt badges, once per store and month, however
// often the job runs. It reports how many badges it awarded.
func (s *Service) AwardMonthlyBadges(ctx context.Context, st Store) (int, error) {
	bs := s.Business.Gamification.badgesOf(BadgeBiggestReceipt)
	if len(bs) == 0 {
		return 0, nil
	}
	n := 0
	var failed []error
	for _, sc := range s.Business.Stores {
		err := st.Update(ctx, func(tx Tx) error {
			shop, err := tx.FindShopByCode(ctx, sc.Code)
			if err != nil {
				return err
			}
			_, loc, err := s.shop(ctx, tx, shop.ID)
			if err != nil {
				return err
			}
			now := s.Now().In(loc)
			to := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
			from := to.AddDate(0, -1, 0)
			who, purchase, ok, err := tx.MonthLeader(ctx, shop.ID, from, to)
			if err != nil || !ok {
				return err
			}
			c, err := tx.FindCustomerByID(ctx, who)
			if err != nil {
				return err
			}
			for _, b := range bs {
				won, err := s.award(ctx, tx, c, b, MonthOccurrence(shop.Code, from), purchase)
				if err != nil {
					return err
				}
				if won {
					n++
				}
			}
			return nil
		})
		if err != nil {
			failed = append(failed, fmt.Errorf("store %s: %w", sc.Code, err))
		}
	}
	return n, errors.Join(failed...)
}

// MonthOccurrence names a store's month: "central:2026-11".
func MonthOccurrence(storeCode string, month time.Time) string {
	return storeCode + ":" + month.Format("2006-01")
}

// ParseMonthOccurrence reads MonthOccurrence back; ok is false for any
// other occurrence.
func ParseMonthOccurrence(occ string) (storeCode string, month time.Time, ok bool) {
	i := len(occ) - len("2006-01") - 1
	if i < 1 || occ[i] != ':' {
		return "", time.Time{}, false
	}
	m, err := time.Parse("2006-01", occ[i+1:])
	if err != nil {
		return "", time.Time{}, false
	}
	return occ[:i], m, true
}

// BadgeBoard is what /badges shows: the badges earned, newest first, and
// the next ones within reach, closest first.
type BadgeBoard struct {
	Earned []BadgeAward
	Next   []BadgeStep
}

// BadgeStep is a badge not earned yet and how far the customer is.
type BadgeStep struct {
	Badge    Badge
	N, Total int // progress; Total 0: none to count
	// Birthday is the date fact of a birthday badge ("" unknown).
	Birthday string
	// This month's biggest receipt so far (biggest receipt badges).
	ShopID              int64
	BestAmount, ShopTop int64
}

// Badges reads a customer's badge board.
func (s *Service) Badges(ctx context.Context, tx Tx, c *Customer) (*BadgeBoard, error) {
	g := &s.Business.Gamification
	var bs []Badge
	for _, b := range g.Badges {
		if b.Enabled && s.earnable(b) {
			bs = append(bs, b)
		}
	}
	_, loc, err := s.homeShop(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	now := s.Now().In(loc)
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	q := s.badgeQuery(c.ID, bs, monthStart)
	q.Weeks = max(q.Weeks, 2)
	f, err := tx.BadgeFacts(ctx, q)
	if err != nil {
		return nil, err
	}
	board := &BadgeBoard{}
	for _, a := range f.Awards {
		if _, ok := g.Badge(a.Badge); ok {
			board.Earned = append(board.Earned, a)
		}
	}
	slices.SortStableFunc(board.Earned, func(a, b BadgeAward) int { return b.At.Compare(a.At) })
	for _, b := range bs {
		step := BadgeStep{Badge: b}
		switch b.Kind {
		case BadgeBiggestReceipt:
			step.ShopID, step.BestAmount, step.ShopTop = f.BestShopID, f.BestAmount, f.ShopTop
		case BadgeBirthdayVisit:
			if f.Earned(b.ID, strconv.Itoa(now.Year())) {
				continue
			}
			step.Birthday = f.Facts[b.Fact]
		default:
			if f.Earned(b.ID, "") {
				continue
			}
			step.N, step.Total = s.badgeProgress(b, f)
			if b.Kind == BadgeProfileComplete && step.Total == 0 {
				continue // a business without a questionnaire
			}
		}
		board.Next = append(board.Next, step)
	}
	// Closest first: what is left to count, then the ones without a count.
	slices.SortStableFunc(board.Next, func(a, b BadgeStep) int {
		if (a.Total == 0) != (b.Total == 0) {
			if a.Total == 0 {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.Total-a.N, b.Total-b.N)
	})
	return board, nil
}

// OffersBadges says whether the business has a badge anyone can earn:
// without one, /badges is not offered (an empty board, or hints at what
// nobody can do).
func (s *Service) OffersBadges() bool {
	return slices.ContainsFunc(s.Business.Gamification.Badges, func(b Badge) bool { return b.Enabled && s.earnable(b) })
}

// earnable says whether the business lets anyone earn the badge: not a
// referral badge with the invite program off, nor a birthday badge whose
// date no question of the profile asks for, nor a profile badge with no
// questionnaire section to complete. Such a badge (a built-in one the
// config left on) is not offered: its hint would point at /invite, at a
// birthday /profile does not ask, or at questions there are none of.
func (s *Service) earnable(b Badge) bool {
	switch b.Kind {
	case BadgeReferral:
		return s.Business.Gamification.Referral.Enabled
	case BadgeProfileComplete:
		return len(s.Business.Questionnaire.Sections) > 0
	case BadgeBirthdayVisit:
		return slices.ContainsFunc(s.Business.Questionnaire.Questions, func(q Question) bool {
			return q.Fact == b.Fact && (q.Type == QuestionBirthday || q.Type == QuestionDate)
		})
	}
	return true
}

// homeShop is the customer's store (where they joined), else the first
// store of the config: its time zone says when a month starts for them.
func (s *Service) homeShop(ctx context.Context, tx Tx, c *Customer) (*Shop, *time.Location, error) {
	if c != nil && c.JoinedStoreID != 0 {
		return s.shop(ctx, tx, c.JoinedStoreID)
	}
	shop, err := tx.FindShopByCode(ctx, s.Business.Stores[0].Code)
	if err != nil {
		return nil, nil, err
	}
	return s.shop(ctx, tx, shop.ID)
}
