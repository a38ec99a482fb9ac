package tgfake

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// DefaultPhone is the phone a User shares when none was set.
const DefaultPhone = "+79991234567"

// User is a person in a private chat with the bot (chat id == user id). Its
// methods act as that person and read the chat as they see it.
//
// LastName, Username and Phone may be set right after Server.User, before
// the user acts; later changes should go through SetPhone, which is safe
// while the bot runs.
type User struct {
	ID           int64
	FirstName    string
	LastName     string
	LanguageCode string
	Username     string
	Phone        string

	s *Server
	// chat state, guarded by s.mu
	msgs    []*msg
	lastID  int
	seq     int
	replyKB [][]KeyboardButton
	oneTime bool
	answers []CallbackAnswer
	blocked bool
	wake    chan struct{} // closed on the chat's next change (Await)
	keep    int           // >0: this chat's own bound (Keep)
}

// User returns the fake user with this id, creating them (and their private
// chat) on first use; a later call with other names keeps the first ones.
func (s *Server) User(id int64, firstName, languageCode string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userLocked(id, firstName, languageCode)
}

func (s *Server) userLocked(id int64, firstName, languageCode string) *User {
	if u := s.users[id]; u != nil {
		return u
	}
	u := &User{ID: id, FirstName: firstName, LanguageCode: languageCode, s: s}
	s.users[id] = u
	s.order = append(s.order, id)
	s.bump()
	return u
}

// SetPhone sets the phone shared by ShareContact-like taps.
func (u *User) SetPhone(phone string) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.Phone = phone
}

// Block makes every send or edit to this chat answer 403, as when the person
// blocks the bot. Unblock undoes it (in Telegram the person would also send
// /start; do that explicitly if the bot relies on it).
func (u *User) Block() { u.setBlocked(true) }

// Unblock lets the bot write to this chat again.
func (u *User) Unblock() { u.setBlocked(false) }

func (u *User) setBlocked(b bool) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.blocked = b
	u.changed()
	u.s.bump()
}

// add stores m as the next message of the chat. Caller holds mu.
func (u *User) add(m *msg) {
	u.lastID++
	m.id = u.lastID
	u.seq++
	m.seq = u.seq
	u.msgs = append(u.msgs, m)
	u.trim()
	u.changed()
	u.s.bump()
}

// find returns a live message by id. Caller holds mu.
func (u *User) find(id int) *msg {
	for _, m := range u.msgs {
		if m.id == id && !m.deleted {
			return m
		}
	}
	return nil
}

// userMessage stores a message from the person and queues it as an update.
func (u *User) userMessage(fill func(m *msg, w *wireMessage)) int64 {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	m := &msg{date: u.s.now()}
	fill(m, nil)
	u.add(m)
	w := u.wireMsg(m)
	fill(m, &w)
	return u.s.enqueue(u.ID, func(b []byte, id int64) []byte { return appendMessageUpdate(b, id, &w) })
}

// SendText sends text as the person. A text starting with "/" carries a
// bot_command entity, as Telegram adds, so command routing sees it.
func (u *User) SendText(text string) int64 {
	return u.userMessage(func(m *msg, w *wireMessage) {
		m.text = text
		if w != nil && strings.HasPrefix(text, "/") {
			n := strings.IndexAny(text, " \n")
			if n < 0 {
				n = len(text)
			}
			w.Entities = []wireEntity{{Type: "bot_command", Offset: 0, Length: len(utf16(text[:n]))}}
		}
	})
}

func utf16(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			out = append(out, 0, 0)
		} else {
			out = append(out, 0)
		}
	}
	return out
}

// ShareContact shares the person's own contact (user_id == their id), the
// only kind a bot should trust as a verified phone.
func (u *User) ShareContact(phone string) int64 {
	return u.userMessage(func(m *msg, _ *wireMessage) {
		m.contact = &contact{Phone: phone, FirstName: u.FirstName, UserID: u.ID}
	})
}

// ShareForeignContact shares someone else's contact, which a bot must not
// take as the person's own phone.
func (u *User) ShareForeignContact(phone, firstName string) int64 {
	return u.userMessage(func(m *msg, _ *wireMessage) {
		m.contact = &contact{Phone: phone, FirstName: firstName, UserID: u.ID + 1_000_000}
	})
}

// SendSticker sends a sticker: a message without text the bot must cope with.
func (u *User) SendSticker() int64 {
	return u.userMessage(func(m *msg, _ *wireMessage) { m.sticker = true })
}

// SendPhoto sends a photo without caption.
func (u *User) SendPhoto() int64 { return u.SendPhotoCaption("") }

// SendPhotoCaption sends a photo with a caption as the person.
func (u *User) SendPhotoCaption(caption string) int64 {
	return u.userMessage(func(m *msg, _ *wireMessage) { m.photoRef, m.caption = "user-photo", caption })
}

// Tap presses a button labelled exactly label: an inline button of the newest
// bot message that has one (a callback_query update), else a button of the
// current reply keyboard (a text message, or the person's own contact for a
// request_contact button). It returns the update id.
func (u *User) Tap(label string) (int64, error) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	for i := len(u.msgs) - 1; i >= 0; i-- {
		m := u.msgs[i]
		if m.fromBot && !m.deleted {
			if b, ok := findInline(m, label); ok {
				return u.callback(m, b)
			}
		}
	}
	for _, row := range u.replyKB {
		for _, b := range row {
			if b.Text == label {
				return u.pressKey(b), nil
			}
		}
	}
	return 0, fmt.Errorf("tgfake: no button %q in chat %d; available: %s", label, u.ID, u.labels())
}

// TapMessage presses an inline button of one given message, possibly an old
// one, as people do by scrolling up.
func (u *User) TapMessage(messageID int, label string) (int64, error) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	m := u.find(messageID)
	if m == nil || !m.fromBot {
		return 0, fmt.Errorf("tgfake: no bot message %d in chat %d", messageID, u.ID)
	}
	b, ok := findInline(m, label)
	if !ok {
		return 0, fmt.Errorf("tgfake: no button %q on message %d; available: %q", label, messageID, m.public(u.ID).Buttons())
	}
	return u.callback(m, b)
}

// SendCallback sends a tap with any callback data from one of the bot's
// messages, whatever buttons it shows now: what a client with an outdated
// view of the message sends (an edit removed the button meanwhile), or a
// modified client forging a button. Bots must not trust callback data.
func (u *User) SendCallback(messageID int, data string) (int64, error) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	m := u.find(messageID)
	if m == nil || !m.fromBot {
		return 0, fmt.Errorf("tgfake: no bot message %d in chat %d", messageID, u.ID)
	}
	if data == "" || len(data) > MaxCallbackData {
		return 0, fmt.Errorf("tgfake: callback data of %d bytes: Telegram carries 1 to %d", len(data), MaxCallbackData)
	}
	return u.callback(m, InlineButton{Data: data})
}

func findInline(m *msg, label string) (InlineButton, bool) {
	for _, row := range m.inline {
		for _, b := range row {
			if b.Text == label {
				return b, true
			}
		}
	}
	return InlineButton{}, false
}

// callback queues a callback_query for button b of m. Caller holds mu.
func (u *User) callback(m *msg, b InlineButton) (int64, error) {
	if b.URL != "" {
		return 0, fmt.Errorf("tgfake: button %q opens %s, it sends nothing to the bot", b.Text, b.URL)
	}
	u.s.nextQuery++
	id := fmt.Sprintf("%d%06d", u.ID, u.s.nextQuery)
	u.s.queries[id] = &queryRef{chatID: u.ID}
	from, w := u.wire(), u.wireMsg(m)
	return u.s.enqueue(u.ID, func(buf []byte, update int64) []byte {
		return appendCallbackUpdate(buf, update, id, from, &w, fmt.Sprintf("ci%d", u.ID), b.Data)
	}), nil
}

// pressKey sends what a reply keyboard button sends. Caller holds mu.
func (u *User) pressKey(b KeyboardButton) int64 {
	m := &msg{date: u.s.now()}
	if b.RequestContact {
		phone := u.Phone
		if phone == "" {
			phone = DefaultPhone
		}
		m.contact = &contact{Phone: phone, FirstName: u.FirstName, UserID: u.ID}
	} else {
		m.text = b.Text
	}
	if u.oneTime {
		u.replyKB = nil
	}
	u.add(m)
	w := u.wireMsg(m)
	return u.s.enqueue(u.ID, func(b []byte, id int64) []byte { return appendMessageUpdate(b, id, &w) })
}

// labels lists what can be tapped, for error messages. Caller holds mu.
func (u *User) labels() string {
	var out []string
	for _, m := range u.msgs {
		if m.fromBot && !m.deleted && len(m.inline) > 0 {
			out = append(out, fmt.Sprintf("message %d %q", m.id, m.public(u.ID).Buttons()))
		}
	}
	var kb []string
	for _, row := range u.replyKB {
		for _, b := range row {
			kb = append(kb, b.Text)
		}
	}
	if kb != nil {
		out = append(out, fmt.Sprintf("reply keyboard %q", kb))
	}
	if out == nil {
		return "none"
	}
	return strings.Join(out, "; ")
}

// Messages returns every bot message of the chat in order, as it looks now:
// edits applied, deleted ones gone.
func (u *User) Messages() []Message { return u.Since(0) }

// Last returns the newest bot message, or a zero Message if there is none.
func (u *User) Last() Message {
	all := u.Messages()
	if len(all) == 0 {
		return Message{}
	}
	return all[len(all)-1]
}

// Mark returns the chat's change sequence; Since(mark) then returns only the
// bot messages sent or edited after it, so a test reads what an action caused.
func (u *User) Mark() int {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.seq
}

// Since returns the live bot messages sent or edited after mark, in the order
// of their last change. An edited message appears (once) in its new state.
func (u *User) Since(mark int) []Message {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.sinceLocked(mark)
}

func (u *User) sinceLocked(mark int) []Message {
	var live []*msg
	for _, m := range u.msgs {
		if m.fromBot && !m.deleted && m.seq > mark {
			live = append(live, m)
		}
	}
	if mark > 0 { // order by last change, so an edit reads as the latest event
		sortBySeq(live)
	}
	out := make([]Message, 0, len(live))
	for _, m := range live {
		out = append(out, m.public(u.ID))
	}
	return out
}

// CallbackAnswers lists the bot's answers to this person's taps.
func (u *User) CallbackAnswers() []CallbackAnswer {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return append([]CallbackAnswer(nil), u.answers...)
}

// ReplyKeyboard returns the reply keyboard shown under the input, nil if none
// was sent or it was removed.
func (u *User) ReplyKeyboard() [][]KeyboardButton {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.replyKB
}

// WaitMessages waits until the chat holds at least n live bot messages and
// returns them; on ctx end the error lists what is there, which is usually
// the fastest way to see why a conversation test stalled.
func (u *User) WaitMessages(ctx context.Context, n int) ([]Message, error) {
	var got []Message
	u.s.waitChange(ctx, func() bool {
		got = u.sinceLocked(0)
		return len(got) >= n
	})
	if len(got) >= n {
		return got, nil
	}
	var b strings.Builder
	for _, m := range got {
		fmt.Fprintf(&b, "\n  #%d %q %q", m.ID, m.Text+m.Caption, m.Buttons())
	}
	err := ctx.Err()
	if err == nil {
		err = fmt.Errorf("server closed")
	}
	return got, &waitError{what: fmt.Sprintf("%d messages in chat %d", n, u.ID), detail: fmt.Sprintf("have %d:%s", len(got), b.String()), err: err}
}

func sortBySeq(ms []*msg) {
	slices.SortStableFunc(ms, func(a, b *msg) int { return cmp.Compare(a.seq, b.seq) })
}
