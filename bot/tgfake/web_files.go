package tgfake

import (
	"bytes"
	"image"
	_ "image/gif"  // photos the bot may upload
	_ "image/jpeg" // photos the bot may upload
	_ "image/png"  // card and invitation QR codes are PNG
	"net/http"
	"strconv"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

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
