package postgres_test

import (
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// TestFamilyBirthdayNotAgainAfterTheDateIsChanged: a child's birthday is
// greeted (with its 100 points) once a year. A mother who, after the
// greeting, changes the child's birthday to a later day of the year is
// not greeted (and credited) again for the same child that year: editing
// the date every few days would farm the bonus.
func TestFamilyBirthdayNotAgainAfterTheDateIsChanged(t *testing.T) {
	t.Parallel()
	db, clock := newStore(t)
	addShop(t, db, "a")
	c, _ := addMember(t, db, clock, 1)
	mustExec := execer(t, db.Pool())
	mustExec(`UPDATE customers SET marketing = true WHERE id = $1`, c.ID)
	// The clock is at 17 May 2031, 13:20 in Moscow: the child was born on 17 May.
	mustExec(`INSERT INTO answers (customer_id, question_id, value, answered_at)
		VALUES ($1, 'children', '{"items": [{"name": {"text": "Masha"}, "birthday": {"date": "2025-05-17"}}]}', $2)`,
		c.ID, clock.Now().AddDate(0, -1, 0))
	rules := domain.DefaultNudges()
	child, _ := rules.Rule("child_birthday")
	child.HoldOut = 0
	svc := nudgeService(clock, *child)
	sec, qs, _ := domain.Preset("kids")
	svc.Business.Questionnaire.Sections = append(svc.Business.Questionnaire.Sections, sec)
	svc.Business.Questionnaire.Questions = append(svc.Business.Questionnaire.Questions, qs...)
	rep, err := svc.RunNudges(t.Context(), db, renderPlain)
	if err != nil || rep.Sent != 1 {
		t.Fatalf("on Masha's birthday: %+v %v", rep, err)
	}
	// Three days later (past the frequency cap) the mother "corrects"
	// Masha's birthday to today.
	clock.Advance(3*24*time.Hour + time.Minute)
	mustExec(`UPDATE answers SET superseded_at = $2 WHERE customer_id = $1 AND superseded_at IS NULL`, c.ID, clock.Now())
	mustExec(`INSERT INTO answers (customer_id, question_id, value, answered_at)
		VALUES ($1, 'children', '{"items": [{"name": {"text": "Masha"}, "birthday": {"date": "2025-05-20"}}]}', $2)`,
		c.ID, clock.Now())
	if _, err := svc.RunNudges(t.Context(), db, renderPlain); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM nudges WHERE rule = 'child_birthday' AND outcome = 'sent'`); n != 1 {
		t.Errorf("Masha was greeted %d times in 2031: a changed birthday greets again", n)
	}
	// A second child, born on another day, is greeted on hers.
	clock.Advance(24 * time.Hour)
	mustExec(`UPDATE answers SET superseded_at = $2 WHERE customer_id = $1 AND superseded_at IS NULL`, c.ID, clock.Now())
	mustExec(`INSERT INTO answers (customer_id, question_id, value, answered_at)
		VALUES ($1, 'children', '{"items": [{"name": {"text": "Masha"}, "birthday": {"date": "2025-05-20"}},
		                                    {"name": {"text": "Dasha"}, "birthday": {"date": "2027-05-21"}}]}', $2)`,
		c.ID, clock.Now())
	if _, err := svc.RunNudges(t.Context(), db, renderPlain); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM nudges WHERE rule = 'child_birthday' AND outcome = 'sent'`); n != 2 {
		t.Errorf("%d greetings after Dasha's birthday, want 2 (Masha's and hers)", n)
	}
}
