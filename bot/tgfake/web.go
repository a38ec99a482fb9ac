package tgfake

import (
	"embed"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// webAssets is the page: plain HTML, CSS and JavaScript, no build step.
//
//go:embed web.html web.css web.js web-play.js
var webAssets embed.FS

// WebUser is a fake person offered by the playground page; Role titles the
// pane that shows them first.
type WebUser struct {
	ID   int64
	Name string
	Lang string
	Role string
}

// WithWebHint sets a help line shown at the top of the playground page (plain
// text; empty, the default, shows none).
func WithWebHint(text string) Option { return func(s *Server) { s.web.hint = text } }

// webState holds what only the playground page needs.
type webState struct {
	hint         string
	panesChanged func([]WebUser)

	qrMu sync.Mutex
	qr   map[*msg]qrResult // decoded photos; a message's photo never changes
}

type qrResult struct {
	text string
	ok   bool
}

func defaultWebUsers() []WebUser {
	return []WebUser{
		{ID: 101, Name: "Anna", Lang: "ru", Role: "Customer"},
		{ID: 202, Name: "Boris", Lang: "ru", Role: "Cashier"},
		{ID: 303, Name: "Olga", Lang: "en", Role: "Owner"},
	}
}

// WebHandler serves the playground: a page showing three chats side by side
// and the small JSON API it uses, so a person can talk to the real bot
// through the fake server without a Telegram account.
//
// The page asks GET /api/play for the playground's own extras (the clock,
// the outbox and ledger panel, the store posters) and does without them
// where that answers 404, as here: they belong to the program around the
// fake, not to the fake.
func (s *Server) WebHandler() http.Handler {
	s.mu.Lock()
	for _, w := range s.webUsers {
		// Each person on the page, the first three included, shares a
		// phone of their own, so the cashier can join as a customer too.
		s.newWebUserLocked(w.ID, w.Name, w.Lang)
	}
	s.mu.Unlock()
	mux := http.NewServeMux()
	for path, mime := range map[string]string{
		"/web.html": "text/html; charset=utf-8", "/web.css": "text/css; charset=utf-8",
		"/web.js": "text/javascript; charset=utf-8", "/web-play.js": "text/javascript; charset=utf-8",
	} {
		data, _ := webAssets.ReadFile(strings.TrimPrefix(path, "/"))
		serve := func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", mime)
			w.Header().Set("Cache-Control", "no-cache")
			_, _ = w.Write(data)
		}
		if path == "/web.html" {
			path = "/{$}"
		}
		mux.HandleFunc("GET "+path, serve)
	}
	mux.HandleFunc("GET /api/users", s.webUsersList)
	mux.HandleFunc("POST /api/users", s.webUserCreate)
	mux.HandleFunc("POST /api/panes", s.webPaneCreate)
	mux.HandleFunc("GET /api/events", s.webEvents)
	mux.HandleFunc("GET /api/chats/{id}", s.webChat(s.webChatView))
	mux.HandleFunc("POST /api/chats/{id}/text", s.webChat(s.webText))
	mux.HandleFunc("POST /api/chats/{id}/tap", s.webChat(s.webTap))
	mux.HandleFunc("POST /api/chats/{id}/contact", s.webChat(s.webContact))
	mux.HandleFunc("POST /api/chats/{id}/sticker", s.webChat(func(w http.ResponseWriter, _ *http.Request, u *User) {
		writeJSON(w, http.StatusOK, map[string]int64{"update_id": u.SendSticker()})
	}))
	mux.HandleFunc("GET /api/chats/{id}/photo/{mid}", s.webChat(s.webPhoto))
	mux.HandleFunc("GET /api/chats/{id}/photo/{mid}/qr", s.webChat(s.webPhotoQR))
	mux.HandleFunc("GET /api/chats/{id}/document/{mid}", s.webChat(s.webDocument))
	return mux
}

// webEvents long-polls for any change newer than ?since=, so the page
// refreshes as soon as the bot answers.
func (s *Server) webEvents(w http.ResponseWriter, r *http.Request) {
	since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	ch, stop := s.Subscribe()
	defer stop()
	timeout := time.NewTimer(25 * time.Second)
	defer timeout.Stop()
	for {
		s.mu.Lock()
		v := s.version
		s.mu.Unlock()
		if v > since {
			writeJSON(w, http.StatusOK, map[string]int64{"version": v})
			return
		}
		select {
		case <-ch:
		case <-timeout.C:
			writeJSON(w, http.StatusOK, map[string]int64{"version": v})
			return
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		}
	}
}

// webChat resolves {id} to an existing user.
func (s *Server) webChat(h func(http.ResponseWriter, *http.Request, *User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		s.mu.Lock()
		u := s.users[id]
		s.mu.Unlock()
		if u == nil {
			http.Error(w, "no such chat", http.StatusNotFound)
			return
		}
		h(w, r, u)
	}
}

type webMessage struct {
	ID        int              `json:"id"`
	FromBot   bool             `json:"from_bot"`
	Date      int64            `json:"date"`
	Edited    bool             `json:"edited"`
	Text      string           `json:"text"`
	Caption   string           `json:"caption"`
	ParseMode string           `json:"parse_mode"`
	Photo     string           `json:"photo,omitempty"` // URL to show, "" if none
	HasPhoto  bool             `json:"has_photo"`
	Document  *webDocument     `json:"document,omitempty"`
	Venue     *webVenue        `json:"venue,omitempty"`
	Sticker   bool             `json:"sticker"`
	Contact   *contact         `json:"contact,omitempty"`
	Inline    [][]InlineButton `json:"inline"`
}

// webVenue is a place on the map, with a link that shows it.
type webVenue struct {
	Title   string `json:"title"`
	Address string `json:"address"`
	Map     string `json:"map"`
}

type webDocument struct {
	FileName string `json:"file_name"`
	URL      string `json:"url"`
}

func (s *Server) webChatView(w http.ResponseWriter, _ *http.Request, u *User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	base := "/api/chats/" + itoa(u.ID)
	msgs := []webMessage{}
	for _, m := range u.msgs {
		if m.deleted {
			continue
		}
		v := webMessage{ID: m.id, FromBot: m.fromBot, Date: m.date.Unix(), Edited: m.edited, Text: m.text,
			Caption: m.caption, ParseMode: m.parseMode, Sticker: m.sticker, Contact: m.contact, Inline: m.inline}
		if m.photo != nil || m.photoRef != "" {
			v.HasPhoto = true
			if m.photo != nil || strings.HasPrefix(m.photoRef, "http") {
				v.Photo = base + "/photo/" + strconv.Itoa(m.id)
			}
		}
		if m.doc != nil {
			v.Document = &webDocument{FileName: m.doc.FileName, URL: base + "/document/" + strconv.Itoa(m.id)}
		}
		if m.venue != nil {
			lat, lon := strconv.FormatFloat(m.venue.Latitude, 'f', -1, 64), strconv.FormatFloat(m.venue.Longitude, 'f', -1, 64)
			v.Venue = &webVenue{Title: m.venue.Title, Address: m.venue.Address,
				Map: "https://www.openstreetmap.org/?mlat=" + lat + "&mlon=" + lon + "#map=17/" + lat + "/" + lon}
		}
		msgs = append(msgs, v)
	}
	answers := append([]CallbackAnswer{}, u.answers...)
	writeJSON(w, http.StatusOK, map[string]any{
		"user":             webUserView{ID: u.ID, Name: u.FirstName, Lang: u.LanguageCode, Phone: phoneOf(u)},
		"messages":         msgs,
		"reply_keyboard":   u.replyKB,
		"callback_answers": answers,
		"blocked":          u.blocked,
		"version":          s.version,
	})
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

func (s *Server) webText(w http.ResponseWriter, r *http.Request, u *User) {
	var in struct{ Text string }
	if !decodeBody(w, r, &in) {
		return
	}
	if strings.TrimSpace(in.Text) == "" {
		http.Error(w, "empty text", http.StatusBadRequest)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"update_id": u.SendText(in.Text)})
}

func (s *Server) webTap(w http.ResponseWriter, r *http.Request, u *User) {
	var in struct {
		MessageID int    `json:"message_id"`
		Label     string `json:"label"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	var id int64
	var err error
	if in.MessageID > 0 {
		id, err = u.TapMessage(in.MessageID, in.Label)
	} else {
		id, err = u.Tap(in.Label)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"update_id": id})
}

// webContact shares the person's own contact; a phone in the body also
// becomes their phone for later request_contact buttons.
func (s *Server) webContact(w http.ResponseWriter, r *http.Request, u *User) {
	var in struct{ Phone string }
	if !decodeBody(w, r, &in) {
		return
	}
	if p := strings.TrimSpace(in.Phone); p != "" {
		u.SetPhone(p)
	}
	s.mu.Lock()
	phone := phoneOf(u)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]int64{"update_id": u.ShareContact(phone)})
}
