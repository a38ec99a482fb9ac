package tgfake

import (
	"encoding/json"
	"reflect"
	"strconv"
	"time"
)

type handler func(q *request) (any, error)

func (s *Server) methods() map[string]handler {
	return map[string]handler{
		"getme":                  s.getMe,
		"getupdates":             s.getUpdates,
		"setwebhook":             s.setWebhook,
		"deletewebhook":          s.deleteWebhook,
		"getwebhookinfo":         s.getWebhookInfo,
		"sendmessage":            s.sendMessage,
		"sendphoto":              s.sendPhoto,
		"senddocument":           s.sendDocument,
		"sendvenue":              s.sendVenue(true),
		"sendlocation":           s.sendVenue(false),
		"editmessagetext":        s.editMessage("text"),
		"editmessagecaption":     s.editMessage("caption"),
		"editmessagereplymarkup": s.editMessage("markup"),
		"deletemessage":          s.deleteMessage,
		"answercallbackquery":    s.answerCallbackQuery,
		"setmycommands":          s.setMyCommands,
		"getmycommands":          s.getMyCommands,
		"deletemycommands":       s.deleteMyCommands,
		"sendchataction":         s.sendChatAction,
	}
}

func (s *Server) getMe(*request) (any, error) {
	return map[string]any{
		"id": botID, "is_bot": true, "first_name": "Loyalty Bot", "username": s.botName,
		"can_join_groups": false, "can_read_all_group_messages": false, "supports_inline_queries": false,
	}, nil
}

// chat finds the target chat of a send or edit. Caller holds mu.
func (s *Server) chat(q *request) (*User, error) {
	id, err := strconv.ParseInt(q.str("chat_id"), 10, 64)
	if err != nil {
		return nil, errChatNotFound
	}
	u := s.users[id]
	if u == nil {
		return nil, errChatNotFound
	}
	if u.blocked {
		return nil, errBlocked
	}
	return u, nil
}

// send stores a new bot message built by fill and answers it. fill runs under
// mu after the chat checks, so a refused send changes nothing.
func (s *Server) send(q *request, fill func(m *msg) error) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.chat(q)
	if err != nil {
		return nil, err
	}
	mk, err := parseMarkup(q.str("reply_markup"))
	if err != nil {
		return nil, err
	}
	m := &msg{fromBot: true, date: s.now(), parseMode: q.str("parse_mode"), inline: mk.inline()}
	if err := fill(m); err != nil {
		return nil, err
	}
	for _, t := range []string{m.text, m.caption} {
		if err := checkEntities(m.parseMode, t); err != nil {
			return nil, err
		}
	}
	if err := checkLength(m.parseMode, m.text, MaxTextLen, "message"); err != nil {
		return nil, err
	}
	if err := checkLength(m.parseMode, m.caption, MaxCaptionLen, "message caption"); err != nil {
		return nil, err
	}
	if mk != nil {
		switch {
		case len(mk.Keyboard) > 0:
			u.replyKB, u.oneTime = mk.keyboard(), mk.OneTime
		case mk.RemoveKeyboard:
			u.replyKB = nil
		}
	}
	u.add(m)
	return u.wireMsg(m), nil
}

func (s *Server) sendMessage(q *request) (any, error) {
	return s.send(q, func(m *msg) error {
		m.text = q.str("text")
		if m.text == "" {
			return badRequest("message text is empty")
		}
		return nil
	})
}

func (s *Server) sendPhoto(q *request) (any, error) {
	return s.send(q, func(m *msg) error {
		m.caption = q.str("caption")
		if f, ok := q.files["photo"]; ok {
			m.photo = f.data
			if s.keep > 0 { // bounded memory: the picture's header is enough
				m.photo = append([]byte(nil), f.data[:min(len(f.data), boundedPhoto)]...)
			}
			return nil
		}
		m.photoRef = q.str("photo")
		if m.photoRef == "" {
			return badRequest("there is no photo in the request")
		}
		m.photo = s.fileBytes(m.photoRef)
		return nil
	})
}

func (s *Server) sendDocument(q *request) (any, error) {
	return s.send(q, func(m *msg) error {
		m.caption = q.str("caption")
		if f, ok := q.files["document"]; ok {
			m.doc = &Document{FileName: f.name, Data: f.data, MIME: f.mime}
			return nil
		}
		ref := q.str("document")
		if ref == "" {
			return badRequest("there is no document in the request")
		}
		m.doc = &Document{FileName: ref}
		return nil
	})
}

// sendVenue takes a place on the map: a venue (titled, with an address)
// or, titled false, a bare location. The message it answers with leaves
// the place out: the bot never reads it.
func (s *Server) sendVenue(titled bool) handler {
	return func(q *request) (any, error) {
		return s.send(q, func(m *msg) error {
			lat, err1 := strconv.ParseFloat(q.str("latitude"), 64)
			lon, err2 := strconv.ParseFloat(q.str("longitude"), 64)
			if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
				return badRequest("wrong latitude or longitude")
			}
			m.venue = &Venue{Latitude: lat, Longitude: lon}
			if titled {
				m.venue.Title, m.venue.Address = q.str("title"), q.str("address")
				if m.venue.Title == "" || m.venue.Address == "" {
					return badRequest("venue title and address must be non-empty")
				}
			}
			return nil
		})
	}
}

// fileBytes resolves a file_id the fake handed out earlier, so resending a
// photo by file_id still shows the picture. Caller holds mu.
func (s *Server) fileBytes(fileID string) []byte {
	for _, u := range s.users {
		for _, m := range u.msgs {
			if m.photo != nil && u.wireMsg(m).Photo[1].FileID == fileID {
				return m.photo
			}
		}
	}
	return nil
}

// editMessage implements the three edit methods. Like Telegram, an edit that
// changes nothing is an error, and editing text or caption without
// reply_markup drops the inline keyboard.
func (s *Server) editMessage(what string) handler {
	return func(q *request) (any, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if q.str("inline_message_id") != "" {
			return nil, badRequest("inline messages are not supported by tgfake")
		}
		u, err := s.chat(q)
		if err != nil {
			return nil, err
		}
		m := u.find(int(q.int64("message_id")))
		if m == nil || !m.fromBot {
			return nil, badRequest("message to edit not found")
		}
		mk, err := parseMarkup(q.str("reply_markup"))
		if err != nil {
			return nil, err
		}
		next := *m
		next.inline = mk.inline()
		switch what {
		case "text":
			if m.photo != nil || m.photoRef != "" || m.doc != nil {
				return nil, badRequest("there is no text in the message to edit")
			}
			next.text, next.parseMode = q.str("text"), q.str("parse_mode")
			if next.text == "" {
				return nil, badRequest("message text is empty")
			}
			if err := checkEntities(next.parseMode, next.text); err != nil {
				return nil, err
			}
			if err := checkLength(next.parseMode, next.text, MaxTextLen, "message"); err != nil {
				return nil, err
			}
		case "caption":
			next.caption, next.parseMode = q.str("caption"), q.str("parse_mode")
			if err := checkEntities(next.parseMode, next.caption); err != nil {
				return nil, err
			}
			if err := checkLength(next.parseMode, next.caption, MaxCaptionLen, "message caption"); err != nil {
				return nil, err
			}
		}
		if next.text == m.text && next.caption == m.caption && reflect.DeepEqual(next.inline, m.inline) {
			return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
		}
		next.edited = true
		*m = next
		u.seq++
		m.seq = u.seq
		u.changed()
		s.bump()
		return u.wireMsg(m), nil
	}
}

func (s *Server) deleteMessage(q *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.chat(q)
	if err != nil {
		return nil, err
	}
	m := u.find(int(q.int64("message_id")))
	if m == nil {
		return nil, badRequest("message to delete not found")
	}
	m.deleted = true
	u.seq++
	u.changed()
	s.bump()
	return true, nil
}

func (s *Server) answerCallbackQuery(q *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := q.str("callback_query_id")
	ref := s.queries[id]
	if ref == nil || ref.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	ref.answered = true
	if s.keep > 0 {
		delete(s.queries, id) // a second answer fails all the same: the query is unknown
	}
	if u := s.users[ref.chatID]; u != nil {
		u.answers = append(u.answers, CallbackAnswer{QueryID: id, Text: q.str("text"), ShowAlert: q.bool("show_alert"), At: time.Now()})
		u.trim()
		u.changed()
	}
	s.bump()
	return true, nil
}

func (s *Server) sendChatAction(q *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.chat(q); err != nil {
		return nil, err
	}
	return true, nil
}

// commandKey normalises a scope so that the same scope sent with different
// key order or spacing lands on the same list.
func commandKey(scope, lang string) string {
	key := "default"
	var m map[string]any
	if scope != "" && scope != "default" && json.Unmarshal([]byte(scope), &m) == nil && m["type"] != "default" {
		b, _ := json.Marshal(m) // map keys come out sorted
		key = string(b)
	}
	return key + "|" + lang
}

func (s *Server) setMyCommands(q *request) (any, error) {
	var cmds []Command
	if err := json.Unmarshal([]byte(q.str("commands")), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands[commandKey(q.str("scope"), q.str("language_code"))] = cmds
	return true, nil
}

func (s *Server) getMyCommands(q *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cmds := s.commands[commandKey(q.str("scope"), q.str("language_code"))]
	if cmds == nil {
		cmds = []Command{}
	}
	return cmds, nil
}

func (s *Server) deleteMyCommands(q *request) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, commandKey(q.str("scope"), q.str("language_code")))
	return true, nil
}
