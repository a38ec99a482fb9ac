package domain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Live promotions are promotions an owner or a manager starts from the
// chat (/promo) for the hours ahead: it rains and the café is empty, so
// double points until closing. The config's promotions are the shop's
// fixed calendar; a live one needs no file and no restart. Both kinds
// apply alike: the highest running multiplier earns, a config promotion
// first among equals; a purchase records a live one as "live-<id>".
const (
	// AuditPromotion is a live promotion started or stopped, in the
	// audit log: it gives points away.
	AuditPromotion = "promotion"
	// MaxLivePromotion is the longest a live promotion may run.
	MaxLivePromotion = 7 * 24 * time.Hour
	// MaxLivePromotionLead is how far ahead one may be scheduled.
	MaxLivePromotionLead = 30 * 24 * time.Hour
	// MaxPromotionTitleRunes bounds a typed title: it goes into the
	// card's caption and the cashier's check.
	MaxPromotionTitleRunes = 60
	livePrefix             = "live-"
)

// LivePromotionRequest is what /promo asks for.
type LivePromotionRequest struct {
	Multiplier int64
	// ShopID is the one store it runs at; 0: every store (owners only).
	ShopID int64
	// Start is when it starts (zero: now), End when it stops.
	Start, End time.Time
	// Title per offered language; the default language's is required.
	Title map[string]string
	// MinAmount is the smallest receipt it multiplies (0: any).
	MinAmount int64
}

// LiveID is the promotion id a purchase records for live promotion n.
func LiveID(n int64) string { return livePrefix + strconv.FormatInt(n, 10) }

// ParseLiveID is LiveID's inverse; ok is false for a config promotion's
// id (those never hold a '-').
func ParseLiveID(id string) (int64, bool) {
	rest, ok := strings.CutPrefix(id, livePrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil && n > 0
}

// LivePromotionStore keeps the promotions started from the chat.
type LivePromotionStore interface {
	// CreateLivePromotion stores p (Live, Start, End, ShopID, Multiplier,
	// Title) started by staff member by, and sets its ID (LiveID).
	CreateLivePromotion(ctx context.Context, p *Promotion, by int64) error
	// LivePromotionsAt lists the live promotions running at t at the
	// store (those of every store included), not stopped, the highest
	// multiplier first.
	LivePromotionsAt(ctx context.Context, shopID int64, t time.Time) ([]Promotion, error)
	// LivePromotionsRanAt lists the live promotions that ran at t at the
	// store (those of every store included), stopped since or not: a
	// return's look back at its purchase (Service.ReturnPromotions).
	LivePromotionsRanAt(ctx context.Context, shopID int64, t time.Time) ([]Promotion, error)
	// PrefetchLivePromotions says LivePromotionsAt will be asked soon:
	// the store may read them along with the next statement.
	PrefetchLivePromotions()
	// OpenLivePromotions lists those not stopped whose end is after t,
	// at the store and those of every store (shopID 0: all of them),
	// the soonest ending first.
	OpenLivePromotions(ctx context.Context, shopID int64, t time.Time) ([]Promotion, error)
	// FindLivePromotion reads one by its number (ErrNotFound).
	FindLivePromotion(ctx context.Context, n int64) (*Promotion, error)
	// StopLivePromotion stops it at t, by staff member by, unless it was
	// stopped or had ended by then: it reports whether it did.
	StopLivePromotion(ctx context.Context, n, by int64, t time.Time) (bool, error)
	// AnyLivePromotion says whether a live promotion was ever started
	// (the owners' numbers then read purchases by promotion).
	AnyLivePromotion(ctx context.Context) (bool, error)
	// ClaimEndedLivePromotions marks up to limit live promotions that had
	// ended (or were stopped) by t and were not reported yet as reported,
	// and returns them with the staff member who started each.
	ClaimEndedLivePromotions(ctx context.Context, t time.Time, limit int) ([]EndedPromotion, error)
	// PromotionResult sums the purchases that stand under a promotion, at
	// store shopID (0: every store).
	PromotionResult(ctx context.Context, id string, shopID int64) (PromotionStat, error)
}

// LivePromotionStarted: a staff member started (or scheduled) a live
// promotion. It gives points away, so the owners hear of one a manager
// started.
type LivePromotionStarted struct {
	Promotion *Promotion
	By        *Staff
}

func (LivePromotionStarted) eventName() string { return "live_promotion_started" }

// EndedPromotion is a live promotion over, to report to its starter.
type EndedPromotion struct {
	Promotion Promotion
	StartedBy int64
}

// ReportPromotions tells each staff member who started a live promotion
// that has ended what it came to (render writes the message), once; a
// starter who lost their access is told nothing. It reports how many it
// queued.
func (s *Service) ReportPromotions(ctx context.Context, st Store,
	render func(ctx context.Context, tx Tx, to *Staff, p Promotion, result PromotionStat) (json.RawMessage, error)) (int, error) {
	n := 0
	err := st.Update(ctx, func(tx Tx) error {
		n = 0
		ended, err := tx.ClaimEndedLivePromotions(ctx, s.Now(), 100)
		if err != nil {
			return err
		}
		for _, e := range ended {
			if e.Promotion.End.Before(e.Promotion.Start) {
				continue // cancelled before it began: nothing to tell
			}
			told, err := tellStaff(ctx, tx, e.StartedBy, func(to *Staff) (json.RawMessage, error) {
				result, err := tx.PromotionResult(ctx, e.Promotion.ID, 0)
				if err != nil {
					return nil, err
				}
				return render(ctx, tx, to, e.Promotion, result)
			})
			if err != nil {
				return fmt.Errorf("promotion %s report: %w", e.Promotion.ID, err)
			}
			if told {
				n++
			}
		}
		return nil
	})
	return n, err
}

// ErrPromotionOver means the live promotion to stop was stopped already
// or has ended.
var ErrPromotionOver = errors.New("the promotion is over")

// promotesAt says whether the staff member may start and stop live
// promotions at the store (0: every store): owners and managers of every
// store anywhere, a store's manager at their store only.
func (s *Staff) promotesAt(shopID int64) bool {
	return s.CanManage() && (s.Role == RoleOwner || s.ShopID == 0 || s.ShopID == shopID)
}

// ValidateLivePromotion checks a request for staff member by at now: the
// multiplier, a start from now to MaxLivePromotionLead ahead, an end
// after it no further than MaxLivePromotion, a title within bounds, and
// the store (a manager's own only).
func (s *Service) ValidateLivePromotion(by *Staff, req LivePromotionRequest, now time.Time) error {
	start := req.Start
	if start.IsZero() {
		start = now
	}
	switch {
	case !by.CanManage():
		return Invalid("staff.only_managers")
	case req.Multiplier < 2 || req.Multiplier > MaxPromotionMultiplier:
		return Invalid("promo.error.multiplier")
	case req.MinAmount < 0 || req.MinAmount > s.Program().MaxReceipt:
		return Invalid("promo.error.min")
	case start.Before(now) || start.Sub(now) > MaxLivePromotionLead:
		return Invalid("promo.error.start")
	case !req.End.After(start) || !req.End.After(now) || req.End.Sub(start) > MaxLivePromotion:
		return Invalid("promo.error.end")
	case !by.promotesAt(req.ShopID):
		return Invalid("promo.error.store")
	}
	if req.Title[s.Business.DefaultLanguage] == "" {
		return Invalid("promo.error.title")
	}
	for _, t := range req.Title {
		if _, err := ParsePromotionTitle(t); err != nil {
			return err
		}
	}
	return nil
}

// ParsePromotionTitle trims a typed title and checks its length.
func ParsePromotionTitle(text string) (string, error) {
	t := strings.Join(strings.Fields(text), " ")
	if t == "" || utf8.RuneCountInString(t) > MaxPromotionTitleRunes {
		return "", Invalid("promo.error.title")
	}
	return t, nil
}

// StartLivePromotion starts a promotion now, or schedules it, for staff
// member by (owners and managers; a store's manager at their store only)
// and records it in the audit log.
func (s *Service) StartLivePromotion(ctx context.Context, tx Tx, by *Staff, req LivePromotionRequest) (*Promotion, error) {
	now := s.Now()
	if err := s.ValidateLivePromotion(by, req, now); err != nil {
		return nil, err
	}
	start := req.Start
	if start.IsZero() {
		start = now
	}
	p := &Promotion{Live: true, Multiplier: req.Multiplier, ShopID: req.ShopID, Start: start, End: req.End, Title: req.Title,
		MinAmount: req.MinAmount}
	if err := tx.CreateLivePromotion(ctx, p, by.ID); err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("start %s x%d until %s", p.ID, p.Multiplier, p.End.UTC().Format(time.RFC3339))
	if start.After(now) {
		detail += " from " + start.UTC().Format(time.RFC3339)
	}
	if err := tx.AppendAudit(ctx, AuditEntry{StaffID: by.ID, Action: AuditPromotion, Detail: detail, At: now}); err != nil {
		return nil, err
	}
	return p, s.emit(ctx, tx, LivePromotionStarted{Promotion: p, By: by})
}

// StopLivePromotion stops live promotion n now: owners any, a manager
// those of their own store. One that is over already is
// ErrPromotionOver; an unknown one ErrNotFound.
func (s *Service) StopLivePromotion(ctx context.Context, tx Tx, by *Staff, n int64) (*Promotion, error) {
	if !by.CanManage() {
		return nil, Invalid("staff.only_managers")
	}
	p, err := tx.FindLivePromotion(ctx, n)
	if err != nil {
		return nil, err
	}
	if !by.promotesAt(p.ShopID) {
		return nil, Invalid("promo.error.store")
	}
	now := s.Now()
	stopped, err := tx.StopLivePromotion(ctx, n, by.ID, now)
	if err != nil {
		return nil, err
	}
	if !stopped {
		return p, ErrPromotionOver
	}
	p.End = now
	// Its announcements still waiting would invite the members to points
	// that no longer run.
	if _, err := tx.CancelPromotionBroadcasts(ctx, p.ID, now); err != nil {
		return nil, err
	}
	if err := tx.AppendAudit(ctx, AuditEntry{StaffID: by.ID, Action: AuditPromotion, Detail: "stop " + p.ID, At: now}); err != nil {
		return nil, err
	}
	return p, nil
}

// OpenLivePromotions lists the live promotions running or yet to end
// that staff member by may see and stop: an owner's all, a manager's
// those of their store and of every store.
func (s *Service) OpenLivePromotions(ctx context.Context, tx Tx, by *Staff) ([]Promotion, error) {
	if !by.CanManage() {
		return nil, Invalid("staff.only_managers")
	}
	shop := by.ShopID
	if by.Role == RoleOwner {
		shop = 0
	}
	return tx.OpenLivePromotions(ctx, shop, s.Now())
}

// LivePromotionsFor lists the live promotions a member may plan a visit
// by: running or planned, not ended, at the store (those of every store
// included; 0: those of every store only), the soonest ending first.
func (s *Service) LivePromotionsFor(ctx context.Context, tx Tx, shopID int64) ([]Promotion, error) {
	ps, err := tx.OpenLivePromotions(ctx, shopID, s.Now())
	if err != nil || shopID != 0 {
		return ps, err
	}
	out := ps[:0]
	for _, p := range ps {
		if p.ShopID == 0 {
			out = append(out, p)
		}
	}
	return out, nil
}

// PromotionByID finds the promotion a purchase recorded: a config one by
// its id, a live one in the database; nil when it is gone from the
// config (or unknown).
func (s *Service) PromotionByID(ctx context.Context, tx Tx, id string) (*Promotion, error) {
	if id == "" {
		return nil, nil
	}
	if n, ok := ParseLiveID(id); ok {
		p, err := tx.FindLivePromotion(ctx, n)
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		return p, err
	}
	p, _ := s.Program().Promotion(id)
	return p, nil
}
