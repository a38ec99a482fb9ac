package tgfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// WithWebPanesChanged calls f with every pane after the page adds one, so
// the playground can offer the same panes after a restart (pass them back
// with WithWebUsers).
func WithWebPanesChanged(f func([]WebUser)) Option {
	return func(s *Server) { s.web.panesChanged = f }
}

// BackgroundUser is User for a person the bot may write to (the
// playground's generated demo customers) whom the page does not list: a
// message to them is accepted and kept, and nobody has to scroll past
// hundreds of names.
func (s *Server) BackgroundUser(id int64, firstName, languageCode string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[id]; u != nil {
		return u
	}
	u := &User{ID: id, FirstName: firstName, LanguageCode: languageCode, s: s}
	s.users[id] = u // not in s.order: the page lists only s.order
	return u
}

type webUserView struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Lang  string `json:"lang"`
	Phone string `json:"phone"`
}

type webPane struct {
	Role string `json:"role"`
	ID   int64  `json:"id"`
}

func (s *Server) webUsersList(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	users := []webUserView{}
	for _, id := range s.order {
		u := s.users[id]
		users = append(users, webUserView{ID: u.ID, Name: u.FirstName, Lang: u.LanguageCode, Phone: phoneOf(u)})
	}
	panes := []webPane{}
	for _, wu := range s.webUsers {
		panes = append(panes, webPane{Role: wu.Role, ID: wu.ID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users, "panes": panes, "version": s.version, "hint": s.web.hint})
}

func phoneOf(u *User) string {
	if u.Phone == "" {
		return DefaultPhone
	}
	return u.Phone
}

// newWebUserLocked creates a person for the page with the next free id
// (from 1001) and a phone of their own, so two of them can both join.
// Caller holds mu.
func (s *Server) newWebUserLocked(id int64, name, lang string) *User {
	if id == 0 {
		id = 1001
		for uid := range s.users {
			if uid < 900_000_000 { // above: generated demo customers
				id = max(id, uid+1)
			}
		}
	}
	fresh := s.users[id] == nil
	u := s.userLocked(id, strings.TrimSpace(name), lang)
	if fresh && u.Phone == "" {
		u.Phone = fmt.Sprintf("+7999%07d", id%10_000_000)
	}
	return u
}

type webUserIn struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Lang string `json:"lang"`
	Role string `json:"role"`
}

func decodeUser(w http.ResponseWriter, r *http.Request) (webUserIn, bool) {
	var in webUserIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || strings.TrimSpace(in.Name) == "" {
		http.Error(w, "want JSON {id?, name, lang, role?}", http.StatusBadRequest)
		return in, false
	}
	return in, true
}

func (s *Server) webUserCreate(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeUser(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	u := s.newWebUserLocked(in.ID, in.Name, in.Lang)
	view := webUserView{ID: u.ID, Name: u.FirstName, Lang: u.LanguageCode, Phone: phoneOf(u)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, view)
}

// webPaneCreate adds a person and a pane of their own ("+ Customer"): the
// pane is titled role, or "Customer N".
func (s *Server) webPaneCreate(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeUser(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	u := s.newWebUserLocked(in.ID, in.Name, in.Lang)
	role := strings.TrimSpace(in.Role)
	if role == "" {
		n := 1
		for _, p := range s.webUsers {
			if strings.HasPrefix(p.Role, "Customer") {
				n++
			}
		}
		role = fmt.Sprintf("Customer %d", n)
	}
	s.webUsers = append(s.webUsers, WebUser{ID: u.ID, Name: u.FirstName, Lang: u.LanguageCode, Role: role})
	panes := append([]WebUser(nil), s.webUsers...)
	s.bump()
	s.mu.Unlock()
	if f := s.web.panesChanged; f != nil {
		f(panes)
	}
	writeJSON(w, http.StatusOK, webPane{Role: role, ID: u.ID})
}
