package bottest

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	_ "image/png" // card QR codes are PNG
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/flows"
)

// Chat drives one fake user and writes a transcript of the conversation:
// what the person did (">") and what the bot showed ("<" new, "~" edited,
// "!" callback answer), with buttons and keyboards, ready to compare with
// a golden file.
type Chat struct {
	h    *Harness
	U    *tgfake.User
	seen map[int]string
	acks int
	log  strings.Builder
	// keyboard is the reply keyboard last written to the transcript.
	keyboard string
}

// Chat starts a transcript for a user.
func (h *Harness) Chat(id int64, firstName, lang string) *Chat {
	return &Chat{h: h, U: h.User(id, firstName, lang), seen: map[int]string{}}
}

// Send sends text (or a command) and records the answer.
func (c *Chat) Send(text string) *Chat {
	c.log.WriteString("> " + text + "\n")
	c.U.SendText(text)
	return c.record()
}

// Tap taps a button by label and records the answer.
func (c *Chat) Tap(label string) *Chat {
	c.h.T.Helper()
	c.log.WriteString("> tap [" + label + "]\n")
	if _, err := c.U.Tap(label); err != nil {
		c.h.T.Fatalf("tap %q: %v", label, err)
	}
	return c.record()
}

// TapOld taps a button of a specific (older) message.
func (c *Chat) TapOld(messageID int, label string) *Chat {
	c.h.T.Helper()
	c.log.WriteString(fmt.Sprintf("> tap [%s] on an old message\n", label))
	if _, err := c.U.TapMessage(messageID, label); err != nil {
		c.h.T.Fatalf("tap %q on %d: %v", label, messageID, err)
	}
	return c.record()
}

// Callback sends callback data no current button of the message may carry:
// a tap on an outdated view of an edited message, or a forged button. what
// describes it for the transcript (the data may hold a random nonce).
func (c *Chat) Callback(messageID int, data, what string) *Chat {
	c.h.T.Helper()
	c.log.WriteString("> callback: " + what + "\n")
	if _, err := c.U.SendCallback(messageID, data); err != nil {
		c.h.T.Fatalf("callback %q on %d: %v", data, messageID, err)
	}
	return c.record()
}

// SignedCallback is Callback with data the bot signed for this chat, as
// it signs the stateless buttons it sends (flows.Engine.SignButtons): a
// genuine button of this chat that no current message shows, to test the
// checks an action makes on its own.
func (c *Chat) SignedCallback(messageID int, data, what string) *Chat {
	c.h.T.Helper()
	r := c.h.Engine.SignButtons(flows.Reply{ChatID: c.U.ID, Inline: [][]flows.Button{{{Data: data}}}})
	return c.Callback(messageID, r.Inline[0][0].Data, what)
}

// ShareContact shares the user's own phone.
func (c *Chat) ShareContact(phone string) *Chat {
	c.log.WriteString("> share own contact " + phone + "\n")
	c.U.ShareContact(phone)
	return c.record()
}

// ShareForeignContact shares someone else's contact.
func (c *Chat) ShareForeignContact(phone string) *Chat {
	c.log.WriteString("> share someone else's contact " + phone + "\n")
	c.U.ShareForeignContact(phone, "Stranger")
	return c.record()
}

// Sticker sends a sticker.
func (c *Chat) Sticker() *Chat {
	c.log.WriteString("> sticker\n")
	c.U.SendSticker()
	return c.record()
}

// Photo sends a photo without caption.
func (c *Chat) Photo() *Chat { return c.PhotoCaption("") }

// PhotoCaption sends a photo with a caption.
func (c *Chat) PhotoCaption(caption string) *Chat {
	c.log.WriteString("> photo")
	if caption != "" {
		c.log.WriteString(": " + caption)
	}
	c.log.WriteString("\n")
	c.U.SendPhotoCaption(caption)
	return c.record()
}

// Note adds a comment line to the transcript.
func (c *Chat) Note(format string, args ...any) *Chat {
	c.log.WriteString("# " + fmt.Sprintf(format, args...) + "\n")
	return c
}

// Sync records whatever the bot did after actions taken directly on U.
func (c *Chat) Sync() *Chat { return c.record() }

// Transcript returns what was recorded, masked for stable comparison.
func (c *Chat) Transcript() string { return Mask(c.log.String()) }

// Last returns the newest bot message.
func (c *Chat) Last() tgfake.Message { return c.U.Last() }

// LastPhoto returns the newest bot message with a photo.
func (c *Chat) LastPhoto() (tgfake.Message, bool) {
	ms := c.U.Messages()
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Photo != nil {
			return ms[i], true
		}
	}
	return tgfake.Message{}, false
}

func (c *Chat) record() *Chat {
	c.h.T.Helper()
	c.h.Settle()
	for _, m := range c.U.Messages() {
		r := render(m)
		old, ok := c.seen[m.ID]
		switch {
		case !ok:
			c.log.WriteString(indent("< ", r))
		case old != r:
			c.log.WriteString(indent("~ ", r))
		}
		c.seen[m.ID] = r
	}
	var keys []string
	for _, row := range c.U.ReplyKeyboard() {
		for _, b := range row {
			if b.RequestContact {
				keys = append(keys, "{"+b.Text+" (shares contact)}")
			} else {
				keys = append(keys, "{"+b.Text+"}")
			}
		}
	}
	if kb := strings.Join(keys, " "); kb != c.keyboard {
		if kb == "" {
			c.log.WriteString("  (keyboard removed)\n")
		} else {
			c.log.WriteString("  keyboard: " + kb + "\n")
		}
		c.keyboard = kb
	}
	acks := c.U.CallbackAnswers()
	for _, a := range acks[c.acks:] {
		if a.Text != "" {
			c.log.WriteString("! " + a.Text + "\n")
		}
	}
	c.acks = len(acks)
	return c
}

func render(m tgfake.Message) string {
	var b strings.Builder
	switch {
	case m.Photo != nil:
		link, err := DecodeQR(m.Photo)
		switch cfg, _, cerr := image.DecodeConfig(bytes.NewReader(m.Photo)); {
		case err == nil:
			b.WriteString("[photo: QR " + link + "]\n" + m.Caption)
		case cerr == nil && cfg.Width != cfg.Height:
			// Not a QR (those are square): a chart.
			fmt.Fprintf(&b, "[photo %dx%d]\n%s", cfg.Width, cfg.Height, m.Caption)
		default:
			b.WriteString("[photo: QR unreadable QR: " + err.Error() + "]\n" + m.Caption)
		}
	case m.PhotoRef != "":
		b.WriteString("[photo " + m.PhotoRef + "]\n" + m.Caption)
	case m.Document != nil:
		b.WriteString("[document " + m.Document.FileName + "]\n" + m.Caption)
	case m.Venue != nil:
		fmt.Fprintf(&b, "[venue %.6f, %.6f] %s\n%s", m.Venue.Latitude, m.Venue.Longitude, m.Venue.Title, m.Venue.Address)
	default:
		b.WriteString(m.Text)
	}
	for _, row := range m.Inline {
		var labels []string
		for _, btn := range row {
			if btn.URL != "" {
				labels = append(labels, "["+btn.Text+" → "+btn.URL+"]")
			} else {
				labels = append(labels, "["+btn.Text+"]")
			}
		}
		b.WriteString("\n" + strings.Join(labels, " "))
	}
	return b.String()
}

func indent(prefix, s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = prefix + lines[i]
		} else {
			lines[i] = "  " + lines[i]
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

var (
	codeRe     = regexp.MustCompile(`\b\d{4} \d{4} \d{3} \d{3}\b`)
	tokenRe    = regexp.MustCompile(`c_[A-Za-z0-9_-]{10,62}`)
	inviteRe   = regexp.MustCompile(`i_[A-Za-z0-9_-]{22}`)
	purchaseRe = regexp.MustCompile(`p_[a-z2-7]{16}`)
	returnRe   = regexp.MustCompile(`r_[a-z2-7]{16}`)
	waitlistRe = regexp.MustCompile(`(start[= ])w_[A-Za-z0-9_-]{8}`)
	referralRe = regexp.MustCompile(`(start[= ])r_[a-z2-9]{10}\b`)
)

// Mask hides what changes between runs: card codes, tokens and random
// link codes.
func Mask(s string) string {
	s = codeRe.ReplaceAllString(s, "#### #### ### ###")
	s = waitlistRe.ReplaceAllString(s, "${1}w_<code>")
	s = referralRe.ReplaceAllString(s, "${1}r_<code>")
	s = inviteRe.ReplaceAllString(s, "i_<token>")
	s = purchaseRe.ReplaceAllString(s, "p_<id>")
	s = returnRe.ReplaceAllString(s, "r_<id>")
	return tokenRe.ReplaceAllString(s, "c_<token>")
}

// DecodeQR reads the text of a PNG QR code, as a phone camera would (see
// tgfake.DecodeQR).
func DecodeQR(png []byte) (string, error) { return tgfake.DecodeQR(png) }

// KeyboardLabels returns the current reply keyboard's labels.
func (c *Chat) KeyboardLabels() []string {
	var out []string
	for _, row := range c.U.ReplyKeyboard() {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return slices.Clip(out)
}

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// Golden compares got with testdata/<name>.golden; -update rewrites it.
func Golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("transcript differs from %s (go test -update rewrites it)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}
