package tgfake

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"
)

// slowForm reads body with mime/multipart, as parseMultipartSlowly does:
// the parts readForm must return whenever it accepts a body.
func slowForm(body []byte, boundary string) ([]formPart, error) {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var parts []formPart
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts, nil
		}
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, err
		}
		parts = append(parts, formPart{name: p.FormName(), filename: p.FileName(),
			contentType: p.Header.Get("Content-Type"), data: data})
	}
}

// sameParts compares two readings, an empty and a nil data alike.
func sameParts(a, b []formPart) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.name != y.name || x.filename != y.filename || x.contentType != y.contentType || !bytes.Equal(x.data, y.data) {
			return false
		}
	}
	return true
}

// randomText draws text with what trips a form up: quotes, backslashes,
// line ends, dashes, the boundary itself, non-ASCII.
func randomText(r *rand.Rand, boundary string) string {
	pieces := []string{"a", "Z", "7", " ", `"`, `\`, "\r\n", "\n", "\r", "--", "-", "=", ";", "ä", "🎉", "\x00", "\t", "--" + boundary, "\r\n--" + boundary, "{\"k\":[1]}"}
	var b bytes.Buffer
	for range r.IntN(12) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// TestReadFormReadsWhatTheWriterWrites: forms written by
// mime/multipart.Writer (go-telegram/bot's writer) with every awkward
// name, file name and value are read by readForm, as mime/multipart
// reads them.
func TestReadFormReadsWhatTheWriterWrites(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fast := 0
	for i := range 3000 {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		plain := true // every name as go-telegram/bot's, no boundary in a value
		value := func(boundary string) string {
			v := randomText(r, boundary)
			if strings.Contains(v, "--"+boundary) {
				plain = false // the writer does not look: a form may be broken
			}
			return v
		}
		for range r.IntN(6) {
			name := []string{"chat_id", "text", "reply_markup", "photo", "caption"}[r.IntN(5)]
			if r.IntN(4) == 0 {
				name, plain = randomText(r, w.Boundary()), false
			}
			var err error
			switch r.IntN(3) {
			case 0:
				var fw io.Writer
				fw, err = w.CreateFormFile(name, randomText(r, w.Boundary()))
				if err == nil {
					_, err = fw.Write([]byte(value(w.Boundary())))
				}
			case 1:
				h := textproto.MIMEHeader{}
				h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename="photo.png"`, "photo"))
				h.Set("Content-Type", "image/png")
				var pw io.Writer
				pw, err = w.CreatePart(h)
				if err == nil {
					_, err = pw.Write([]byte("\x89PNG" + value(w.Boundary())))
				}
			default:
				err = w.WriteField(name, value(w.Boundary()))
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, ok := readForm(body.Bytes(), w.Boundary())
		want, err := slowForm(body.Bytes(), w.Boundary())
		if err != nil {
			// The writer does not escape a control character in a name,
			// which textproto then refuses.
			if ok {
				t.Fatalf("form %d %q: read as %+v; mime/multipart: %v", i, body.Bytes(), got, err)
			}
			continue
		}
		if !ok {
			// Only a name with a character mime/multipart.Writer does
			// not escape (a control character) or an empty name may be
			// left to mime/multipart.
			if plain {
				t.Fatalf("form %d %q: left to mime/multipart", i, body.Bytes())
			}
			continue
		}
		fast++
		if !sameParts(got, want) {
			t.Fatalf("form %d %q:\n got %+v\nwant %+v", i, body.Bytes(), got, want)
		}
	}
	if fast < 1000 {
		t.Fatalf("readForm read %d forms of 3000 itself, want most", fast)
	}
}

// TestReadFormLeavesTheRestToMimeMultipart: what does not look like the
// writer's output is not read.
func TestReadFormLeavesTheRestToMimeMultipart(t *testing.T) {
	for _, body := range []string{
		"preamble\r\n--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--B--\r\n",
		"--B\nContent-Disposition: form-data; name=\"a\"\n\nx\n--B--\n",
		"--B\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"a\\b\"\r\n\r\nx\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name*=utf-8''a\r\n\r\nx\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nx\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--B",
		"--B\r\n\r\nx\r\n--B--\r\n",
	} {
		if parts, ok := readForm([]byte(body), "B"); ok {
			t.Errorf("%q: read as %+v, want it left to mime/multipart", body, parts)
		}
	}
}

// FuzzReadForm: whatever readForm accepts, mime/multipart reads the
// same way.
func FuzzReadForm(f *testing.F) {
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n--B\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a/b.png\"\r\nContent-Type: application/octet-stream\r\n\r\n\x89PNG\r\n--B--\r\n"), "B")
	f.Add([]byte("--B--\r\n"), "B")
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--Bx\r\n--B--\r\n"), "B")
	f.Add([]byte("--B\r\ncontent-disposition: form-data; name=\"q\\\"\\\\\"\r\n\r\n\r\n--B--"), "B")
	f.Fuzz(func(t *testing.T, body []byte, boundary string) {
		got, ok := readForm(body, boundary)
		if !ok {
			return
		}
		want, err := slowForm(body, boundary)
		if err != nil {
			t.Fatalf("readForm read %q as %+v; mime/multipart: %v", body, got, err)
		}
		if !sameParts(got, want) {
			t.Fatalf("%q:\n got %+v\nwant %+v", body, got, want)
		}
	})
}
