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
	if s.e.Service.CheckBroadcastTime(at) != nil {
		sayPast(s)
		return nil
	}
	s.SetData("at", at.UTC().Format(time.RFC3339))
	return s.Goto(stepBcConfirm)
}

// scheduledAt is the time the owner chose, if any.
func scheduledAt(s *Session) (time.Time, bool) {
	at, err := time.Parse(time.RFC3339, s.Data("at"))
	return at, err == nil
}

// sayPast refuses a time that has passed, saying what time it is now.
func sayPast(s *Session) {
	loc := staffLocation(s)
	s.Say("broadcast.schedule.past", map[string]any{"Now": s.e.Now().In(loc).Format("02.01.2006 15:04"), "Zone": loc.String()})
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
