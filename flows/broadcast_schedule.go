package flows

import (
	"context"
	"errors"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// schedule takes the date and time a broadcast goes out at, in the
// store's time zone; a time that has passed is refused and asked again.
func (b broadcast) schedule(s *Session) error {
	if s.In.Kind != InputText {
		return b.Ask(s)
	}
	loc := staffLocation(s)
	at, err := domain.ParseDateTime(s.In.Text, s.e.Now(), loc)
	var v *domain.ValidationError
	if errors.As(err, &v) {
		s.Say(v.Reason, nil)
		return nil
	} else if err != nil {
		return err
	}
	if refused, err := refuseTime(s, at); err != nil || refused {
		return err
	}
	s.SetData("at", at.UTC().Format(time.RFC3339))
	return s.Goto(stepBcConfirm)
}

// refuseTime says why the broadcast cannot go at at, if it cannot: the
// time has passed or is too far ahead (CheckBroadcastTime), or it is a
// promotion's announcement and at is not before the promotion's end.
func refuseTime(s *Session, at time.Time) (bool, error) {
	if err := s.e.Service.CheckBroadcastTime(at); err != nil {
		sayBadTime(s, err)
		return true, nil
	}
	end, over, err := promoAnnouncementEnd(s)
	if err != nil || over || end.IsZero() || at.Before(end) {
		return false, err // one over is refused at the confirmation
	}
	s.Say("broadcast.schedule.after_promo", map[string]any{"End": showWhen(s, end)})
	return true, nil
}

// promoAnnouncementEnd is, for the announcement of a live promotion
// (tellPromotion), when that promotion ends, stopped early included; over
// says it has ended by now or is gone. A broadcast of the staff's own
// text has no end: the zero time, not over.
func promoAnnouncementEnd(s *Session) (end time.Time, over bool, err error) {
	if s.Data("promo") == "" {
		return time.Time{}, false, nil
	}
	p, err := s.e.Service.PromotionByID(s.Ctx, s.Tx, s.Data("promo"))
	if err != nil || p == nil {
		return time.Time{}, err == nil, err
	}
	return p.End, !p.End.After(s.e.Now()), nil
}

// scheduledAt is the time the owner chose, if any.
func scheduledAt(s *Session) (time.Time, bool) {
	at, err := time.Parse(time.RFC3339, s.Data("at"))
	return at, err == nil
}

// sayBadTime refuses a time CheckBroadcastTime refused: passed, or too
// far ahead, saying what time it is now.
func sayBadTime(s *Session, err error) {
	loc := staffLocation(s)
	id := "broadcast.schedule.past"
	if v, ok := errors.AsType[*domain.ValidationError](err); ok && v.Reason == "broadcast.schedule.far" {
		id = v.Reason
	}
	s.Say(id, map[string]any{"Now": s.e.Now().In(loc).Format("02.01.2006 15:04"), "Zone": loc.String()})
}

// showWhen writes a time in the store's time zone, the zone named.
func showWhen(s *Session, t time.Time) string {
	loc := staffLocation(s)
	return t.In(loc).Format("02.01.2006 15:04") + " (" + loc.String() + ")"
}

// staffLocation is the time zone a staff member schedules in: their
// store's, or for owners (every store) the first store's.
func staffLocation(s *Session) *time.Location { return s.e.staffZone(s.Ctx, s.Tx, s.Staff) }

// staffZone is staffLocation for a staff member outside their own
// update (a notice to them).
func (e *Engine) staffZone(ctx context.Context, tx domain.Tx, st *domain.Staff) *time.Location {
	tz := ""
	if st != nil && st.ShopID != 0 {
		if shop, err := tx.FindShopByID(ctx, st.ShopID); err == nil {
			tz = shop.TimeZone
		}
	}
	if tz == "" && len(e.Business.Stores) > 0 {
		tz = e.Business.Stores[0].TimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return time.UTC
	}
	return loc
}
