package tgfake

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"image"
	_ "image/gif"  // photos the bot may upload
	_ "image/jpeg" // photos the bot may upload
	_ "image/png"  // card and invitation QR codes are PNG
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

//go:embed web.html
var webPage []byte

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
	hint string

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
func (s *Server) WebHandler() http.Handler {
	for _, w := range s.webUsers {
		s.User(w.ID, w.Name, w.Lang)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(webPage)
	})
	mux.HandleFunc("GET /api/users", s.webUsersList)
	mux.HandleFunc("POST /api/users", s.webUserCreate)
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

type webUserView struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Lang  string `json:"lang"`
	Phone string `json:"phone"`
}

func (s *Server) webUsersList(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	users := []webUserView{}
	for _, id := range s.order {
		u := s.users[id]
		users = append(users, webUserView{ID: u.ID, Name: u.FirstName, Lang: u.LanguageCode, Phone: phoneOf(u)})
	}
	type pane struct {
		Role string `json:"role"`
		ID   int64  `json:"id"`
	}
	panes := []pane{}
	for _, wu := range s.webUsers {
		panes = append(panes, pane{Role: wu.Role, ID: wu.ID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users, "panes": panes, "version": s.version, "hint": s.web.hint})
}

func phoneOf(u *User) string {
	if u.Phone == "" {
		return DefaultPhone
	}
	return u.Phone
}

func (s *Server) webUserCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
		Lang string `json:"lang"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.Name) == "" {
		http.Error(w, "want JSON {id?, name, lang}", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	if in.ID == 0 {
		in.ID = 1001
		for id := range s.users {
			in.ID = max(in.ID, id+1)
		}
	}
	u := s.userLocked(in.ID, strings.TrimSpace(in.Name), in.Lang)
	view := webUserView{ID: u.ID, Name: u.FirstName, Lang: u.LanguageCode, Phone: phoneOf(u)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, view)
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
	Sticker   bool             `json:"sticker"`
	Contact   *contact         `json:"contact,omitempty"`
	Inline    [][]InlineButton `json:"inline"`
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

func (s *Server) webMsg(w http.ResponseWriter, r *http.Request, u *User) *msg {
	id, _ := strconv.Atoi(r.PathValue("mid"))
	s.mu.Lock()
	defer s.mu.Unlock()
	m := u.find(id)
	if m == nil {
		http.NotFound(w, r)
	}
	return m
}

func (s *Server) webPhoto(w http.ResponseWriter, r *http.Request, u *User) {
	m := s.webMsg(w, r, u)
	switch {
	case m == nil:
	case m.photo != nil:
		w.Header().Set("Content-Type", http.DetectContentType(m.photo))
		_, _ = w.Write(m.photo)
	case strings.HasPrefix(m.photoRef, "http"):
		http.Redirect(w, r, m.photoRef, http.StatusFound)
	default:
		http.NotFound(w, r)
	}
}

// webPhotoQR reads the QR code in an uploaded photo, as a phone camera
// pointed at the screen would: {"text": ...}, or 404 when there is none.
func (s *Server) webPhotoQR(w http.ResponseWriter, r *http.Request, u *User) {
	m := s.webMsg(w, r, u)
	if m == nil {
		return
	}
	s.web.qrMu.Lock()
	res, cached := s.web.qr[m]
	s.web.qrMu.Unlock()
	if !cached {
		// A stored photo's bytes never change; decode them outside the lock.
		s.mu.Lock()
		data := m.photo
		s.mu.Unlock()
		res.text, res.ok = decodeQR(data)
		s.web.qrMu.Lock()
		if s.web.qr == nil {
			s.web.qr = map[*msg]qrResult{}
		}
		s.web.qr[m] = res
		s.web.qrMu.Unlock()
	}
	if !res.ok {
		http.Error(w, "no readable QR code in this photo", http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"text": res.text})
}

// decodeQR returns the text of the QR code in an image, if any.
func decodeQR(data []byte) (text string, ok bool) {
	if len(data) == 0 {
		return "", false
	}
	defer func() {
		if recover() != nil { // a decoder bug must not kill the playground
			text, ok = "", false
		}
	}()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", false
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", false
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", false
	}
	return res.GetText(), true
}

func (s *Server) webDocument(w http.ResponseWriter, r *http.Request, u *User) {
	m := s.webMsg(w, r, u)
	switch {
	case m == nil:
	case m.doc == nil || m.doc.Data == nil:
		http.NotFound(w, r)
	default:
		w.Header().Set("Content-Type", m.doc.MIME)
		w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(m.doc.FileName, `"`, "")+`"`)
		_, _ = w.Write(m.doc.Data)
	}
}
