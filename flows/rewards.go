package flows

import (
	"strconv"
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// reward credits promo points once per idempotency key and says so.
func (s *Session) reward(points int64, key string, note bool) error {
	card, err := s.Tx.FindCardByCustomer(s.Ctx, s.Customer.ID)
	if err != nil {
		return err
	}
	e := domain.LedgerEntry{CardID: card.ID, Kind: domain.LedgerBonus, Amount: points, IdempotencyKey: key}
	if d := s.e.Business.WelcomeBonusDays; d > 0 {
		e.ExpiresAt = s.e.Now().AddDate(0, 0, d)
	}
	_, created, err := domain.Credit(s.Ctx, s.Tx, e, domain.LotPromo)
	if err != nil {
		return err
	}
	if created && note {
		// Said on top of the next message, and as the tap's toast.
		note := s.T("profile.rewarded", map[string]any{"Points": points, "Count": points})
		s.notes = append(s.notes, note)
		s.callbackText = note
	}
	return nil
}

// completeSection marks a completed section and pays its bonus, once.
func (s *Session) completeSection(section string, answers map[string]domain.Answer) error {
	qn := &s.e.Business.Questionnaire
	sec, ok := qn.Section(section)
	if !ok || !qn.Completed(section, answers) {
		return nil
	}
	if err := s.Tx.CompleteSection(s.Ctx, s.Customer.ID, section, s.e.Now()); err != nil {
		return err
	}
	if sec.Bonus > 0 {
		return s.reward(sec.Bonus, "section:"+strconv.FormatInt(s.Customer.ID, 10)+":"+section, false)
	}
	return nil
}

// announceSection says a section is complete, when an edit completed it.
func (s *Session) announceSection(section string, answers map[string]domain.Answer, before bool) {
	qn := &s.e.Business.Questionnaire
	if sec, ok := qn.Section(section); ok && !before && qn.Completed(section, answers) {
		s.notes = append(s.notes, s.T("profile.section.done", map[string]any{
			"Bonus": sec.Bonus, "Count": sec.Bonus, "Title": s.e.textIn(sec.Title, s.Lang)}))
	}
}

// notesText returns and clears the pending reward notes.
func (s *Session) notesText() string {
	var b strings.Builder
	for _, n := range s.notes {
		b.WriteString(n + "\n")
	}
	s.notes = nil
	return b.String()
}
