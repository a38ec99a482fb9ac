package flows

import (
	"strings"

	"github.com/loyaltybot/loyaltybot/domain"
)

// noteReward says points were just paid, on top of the next message and
// as the tap's toast.
func (s *Session) noteReward(points int64) {
	note := s.T("profile.rewarded", map[string]any{"Points": s.num(points), "Count": points})
	s.notes = append(s.notes, note)
	s.callbackText = note
}

// completeSection marks a completed section and pays its bonus, once.
func (s *Session) completeSection(section string, answers map[string]domain.Answer) error {
	_, err := s.e.Service.CompleteSection(s.Ctx, s.Tx, s.Customer.ID, section, answers)
	return err
}

// announceSection says a section is complete, when an edit completed it.
func (s *Session) announceSection(section string, answers map[string]domain.Answer, before bool) {
	qn := &s.e.Business.Questionnaire
	if sec, ok := qn.Section(section); ok && !before && qn.Completed(section, answers) {
		s.notes = append(s.notes, s.T("profile.section.done", map[string]any{
			"Bonus": s.num(sec.Bonus), "Count": sec.Bonus, "Title": s.e.textIn(sec.Title, s.Lang)}))
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
