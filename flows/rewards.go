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

// completeSection marks a completed section and pays its bonus, once;
// it returns the points paid now.
func (s *Session) completeSection(section string, answers map[string]domain.Answer) (int64, error) {
	_, paid, err := s.e.Service.CompleteSection(s.Ctx, s.Tx, s.Customer.ID, section, answers)
	return paid, err
}

// sectionDone is the thank-you for a completed section: with its bonus
// only when the bonus was paid now (not on completing it again, nor to a
// member who had the profile's points before erasing their data).
func (s *Session) sectionDone(sec *domain.Section, paid int64) string {
	title := s.e.textIn(sec.Title, s.Lang)
	if paid > 0 {
		return s.T("profile.section.done", map[string]any{"Bonus": s.num(paid), "Count": paid, "Title": title})
	}
	return s.T("profile.section.done_plain", map[string]any{"Title": title})
}

// announceSection says a section is complete, when an edit completed it.
func (s *Session) announceSection(section string, answers map[string]domain.Answer, before bool, paid int64) {
	qn := &s.e.Business.Questionnaire
	if sec, ok := qn.Section(section); ok && !before && qn.Completed(section, answers) {
		s.notes = append(s.notes, s.sectionDone(sec, paid))
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
