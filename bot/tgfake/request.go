package tgfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// upload is a file part of a multipart request.
type upload struct {
	name string
	mime string
	data []byte
}

// request is one parsed Bot API call. Params are strings whatever the body
// encoding, because that is how multipart and urlencoded bodies carry them
// (complex values as JSON text).
type request struct {
	method string
	params map[string]string
	files  map[string]upload
	r      *http.Request
}

func (q *request) str(k string) string { return q.params[k] }

func (q *request) int64(k string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(q.params[k]), 10, 64)
	return n
}

func (q *request) bool(k string) bool {
	b, _ := strconv.ParseBool(q.params[k])
	return b
}

// apiError is a Bot API error answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func (e *apiError) Error() string { return e.desc }

func badRequest(desc string) *apiError { return &apiError{code: 400, desc: "Bad Request: " + desc} }

var (
	errChatNotFound = badRequest("chat not found")
	errButtonData   = badRequest("BUTTON_DATA_INVALID")
	errBlocked      = &apiError{code: 403, desc: "Forbidden: bot was blocked by the user"}
	errNotFound     = &apiError{code: 404, desc: "Not Found: method not found"}
	errUnauthorized = &apiError{code: 401, desc: "Unauthorized"}
	errConflict     = &apiError{code: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
)

// serveAPI routes /bot<token>/<method>.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	token, method, ok := strings.Cut(path, "/")
	if !ok || !strings.HasPrefix(token, "bot") || method == "" || strings.Contains(method, "/") {
		writeError(w, errNotFound)
		return
	}
	if s.token != "" && strings.TrimPrefix(token, "bot") != s.token {
		writeError(w, errUnauthorized)
		return
	}
	q, err := parseRequest(r)
	if err != nil {
		writeError(w, badRequest(err.Error()))
		return
	}
	q.method = strings.ToLower(method)

	s.mu.Lock()
	chat := q.int64("chat_id")
	if ref, ok := s.queries[q.str("callback_query_id")]; ok && chat == 0 {
		chat = ref.chatID // a tap's answer is for the chat that tapped
	}
	f, failed := s.takeFailure(q.method, chat)
	if s.keep == 0 { // bounded memory keeps no call log
		call := Call{Method: method, ChatID: chat, At: time.Now(), Params: q.callParams()}
		if failed {
			call.Fault = &f
		}
		s.calls = append(s.calls, call)
	}
	var flood *apiError
	if !failed {
		flood = s.admit(q.method, chat, time.Now())
	}
	s.bump() // lets WaitFor observe calls
	s.mu.Unlock()
	if flood != nil {
		writeError(w, flood)
		return
	}
	if failed && f.Stall != nil {
		select {
		case <-f.Stall:
		case <-r.Context().Done():
			return // the client gave up
		case <-s.done:
			return
		}
	}
	if failed && f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.done:
			t.Stop()
			return
		}
	}
	if failed && f.Drop && !f.AfterAccept {
		dropConnection(w)
		return
	}
	if failed && f.Code != 0 {
		writeError(w, &apiError{code: f.Code, desc: f.Description, retryAfter: f.RetryAfter})
		return
	}

	h, ok := s.handlers[q.method]
	if !ok {
		writeError(w, errNotFound)
		return
	}
	res, err := h(q)
	if failed && f.Drop {
		dropConnection(w) // done, but the answer never arrives
		return
	}
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{code: 500, desc: "Internal Server Error: " + err.Error()}
		}
		writeError(w, ae)
		return
	}
	if m, ok := res.(wireMessage); ok { // a sent or edited message: by hand (wirejson.go)
		b := append(m.appendJSON(append(make([]byte, 0, 1024), `{"ok":true,"result":`...)), "}\n"...)
		jsonHeader(w, http.StatusOK)
		_, _ = w.Write(b)
		return
	}
	writeJSON(w, http.StatusOK, okAnswer{OK: true, Result: res})
}

// okAnswer is a successful Bot API answer: a struct, not a map, which
// encoding/json writes without sorting keys (the fake shares the cores
// with the bot in the load run).
type okAnswer struct {
	OK     bool `json:"ok"`
	Result any  `json:"result"`
}

func (q *request) callParams() map[string]string {
	out := make(map[string]string, len(q.params)+len(q.files))
	for k, v := range q.params {
		out[k] = v
	}
	for k, f := range q.files {
		out[k] = "file:" + f.name
	}
	return out
}

// dropConnection closes the client's connection without an answer; the
// client sees an EOF, as when the network drops.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // net/http closes the connection
	}
	conn.Close()
}

func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"ok": false, "error_code": e.code, "description": e.desc}
	if e.retryAfter > 0 {
		body["parameters"] = map[string]int{"retry_after": e.retryAfter}
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	writeJSON(w, e.code, body)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	jsonHeader(w, code)
	_ = json.NewEncoder(w).Encode(v)
}

func jsonHeader(w http.ResponseWriter, code int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
}

// parseRequest accepts query parameters plus a multipart, urlencoded or JSON
// body. go-telegram/bot sends multipart even with no parameters, and then the
// body may be empty, so an empty body is never an error.
func parseRequest(r *http.Request) (*request, error) {
	q := &request{params: map[string]string{}, files: map[string]upload{}, r: r}
	for k, v := range r.URL.Query() {
		q.params[k] = v[0]
	}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return q, nil
	}
	contentType := r.Header.Get("Content-Type")
	if b, ok := strings.CutPrefix(contentType, "multipart/form-data; boundary="); ok && plainBoundary(b) {
		// As mime/multipart.Writer.FormDataContentType writes it.
		return q, q.parseMultipart(body, b)
	}
	ct, ctParams, _ := mime.ParseMediaType(contentType)
	switch ct {
	case "multipart/form-data":
		return q, q.parseMultipart(body, ctParams["boundary"])
	case "application/json":
		return q, q.parseJSON(body)
	default:
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, v := range vals {
			q.params[k] = v[0]
		}
		return q, nil
	}
}

// plainBoundary says whether b is a boundary of letters, digits, '-',
// '_' and '.' only (mime/multipart.Writer's are hex), which
// mime.ParseMediaType would read unquoted and unchanged.
func plainBoundary(b string) bool {
	for i := range len(b) {
		c := b[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return b != ""
}

// maxBody is the most of a request body the fake reads.
const maxBody = 64 << 20

// readBody reads the request's body, in one allocation when its length
// is known.
func readBody(r *http.Request) ([]byte, error) {
	if n := r.ContentLength; n > 0 && n <= maxBody {
		body := make([]byte, n)
		_, err := io.ReadFull(r.Body, body)
		return body, err
	}
	return io.ReadAll(io.LimitReader(r.Body, maxBody))
}

func (q *request) parseMultipart(body []byte, boundary string) error {
	if parts, ok := readForm(body, boundary); ok {
		for _, p := range parts {
			q.addPart(p)
		}
		return nil
	}
	return q.parseMultipartSlowly(body, boundary)
}

// addPart keeps a form part as a parameter or, with a file name, a file.
func (q *request) addPart(p formPart) {
	if p.filename == "" {
		q.params[p.name] = string(p.data)
		return
	}
	mt := p.contentType
	if mt == "" || mt == "application/octet-stream" {
		mt = http.DetectContentType(p.data)
	}
	q.files[p.name] = upload{name: p.filename, mime: mt, data: p.data}
}

// parseMultipartSlowly reads any body mime/multipart reads.
func (q *request) parseMultipartSlowly(body []byte, boundary string) error {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return err
		}
		q.addPart(formPart{name: p.FormName(), filename: p.FileName(), contentType: p.Header.Get("Content-Type"), data: data})
	}
}

func (q *request) parseJSON(body []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return err
	}
	for k, raw := range m {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			q.params[k] = s
			continue
		}
		q.params[k] = string(raw)
	}
	return nil
}
