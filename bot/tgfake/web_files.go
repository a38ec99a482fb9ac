package tgfake

import (
	"bytes"
	"errors"
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
	defer func() {
		if recover() != nil { // a decoder bug must not kill the playground
			text, ok = "", false
		}
	}()
	text, err := DecodeQR(data)
	return text, err == nil
}

// DecodeQR reads the text of a QR code picture, as a phone camera would.
// A picture the bot drew is the code alone on white, which the decoder's
// pure-barcode mode reads module by module; its finder-pattern search,
// tried next for photos of a code, misses a few per cent of such valid
// codes (zbarimg reads them; three referral links of version 4 made a test
// fail now and then).
func DecodeQR(data []byte) (string, error) {
	if len(data) == 0 {
		return "", errors.New("decode QR: no picture")
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", err
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		res, err = qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	}
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
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
