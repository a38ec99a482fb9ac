package bot

import "testing"

// TestLanesKeepAChatsOrderAcrossAChange: a chat that becomes staff (or
// stops) while it has updates in hand keeps its lane until they are done:
// a switch in between could let its next update overtake the earlier one.
func TestLanesKeepAChatsOrderAcrossAChange(t *testing.T) {
	l := newLanes()
	if l.take(7) {
		t.Fatal("a chat never seen went to a staff lane")
	}
	l.learn(7, true) // the invite is taken; the chat's next update is already queued
	if l.take(7) {
		t.Fatal("the chat changed lanes with an update in hand")
	}
	l.done(7)
	l.done(7)
	if !l.take(7) {
		t.Fatal("a staff chat with nothing in hand did not go to a staff lane")
	}
	l.learn(7, false) // dismissed
	if !l.take(7) {
		t.Fatal("the chat changed lanes with an update in hand")
	}
	l.done(7)
	l.done(7)
	if l.take(7) {
		t.Fatal("a dismissed chat went to a staff lane")
	}
	l.done(7)
	if len(l.inHand) != 0 {
		t.Errorf("%d chats counted in hand with nothing in hand", len(l.inHand))
	}
}
