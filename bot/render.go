package bot

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/loyaltybot/loyaltybot/flows"
)

// Exporter writes an export's CSV to w as the database hands out its rows
// (flows.Engine.WriteExport).
type Exporter func(ctx context.Context, doc flows.ExportDoc, w io.Writer) error

// errUploadOver stops an export whose upload ended before it did.
var errUploadOver = errors.New("upload over")

// errExportTooLarge is an export over Telegram's document limit even
// zipped, with no words to say so (a reply queued before there were).
var errExportTooLarge = errors.New("export over Telegram's document limit, zipped too")

// DefaultDocumentLimit is the largest document a bot may send: 50 MB by
// the Bot API (sendDocument), less room for the form around it.
const DefaultDocumentLimit = 50_000_000 - 64<<10

// render performs the Bot API call(s) for one reply. An export is piped
// from the database cursor through the multipart body to Telegram: the
// client library streams the body, so no whole CSV is ever in memory.
// docLimit caps an export's file (sendExport).
func render(ctx context.Context, api *Telegram, r flows.Reply, export Exporter, docLimit int64) error {
	if r.ChatCommands != nil {
		return chatCommands(ctx, api, r.ChatID, *r.ChatCommands)
	}
	// Every call below answers with the message sent or edited, and
	// nothing here reads it.
	ctx = resultUnread(ctx)
	r.Text = fitText(r.Text, textLimit(r))
	if r.EditMessageID != 0 && r.QR == "" && r.Photo == "" && r.Document == nil && len(r.PNG) == 0 && r.Export == nil && r.Venue == nil {
		err := edit(ctx, api, r)
		if !isGoneMessage(err) {
			return err
		}
		if r.Text == "" {
			return nil // only the buttons were to go, and the message is gone
		}
		// The message to edit is gone or too old: say it anew.
	}
	switch {
	case r.QR != "":
		png, err := QR(r.QR)
		if err != nil {
			return fmt.Errorf("render qr: %w", err)
		}
		return api.sendPhoto(ctx, r, "card.png", png)
	case r.Photo != "":
		return api.sendPhoto(ctx, r, "", nil)
	case len(r.PNG) > 0:
		return api.sendPhoto(ctx, r, "chart.png", r.PNG)
	case r.Export != nil:
		if export == nil {
			return errors.New("render export: no exporter wired")
		}
		return sendExport(ctx, api, r, export, docLimit)
	case r.Document != nil:
		_, err := api.SendDocument(ctx, &tg.SendDocumentParams{
			ChatID:      r.ChatID,
			Document:    &models.InputFileUpload{Filename: r.Document.Name, Data: bytes.NewReader(r.Document.Data)},
			Caption:     r.Text,
			ReplyMarkup: markup(r),
		})
		return err
	case r.Venue != nil:
		return sendVenue(ctx, api, r)
	default:
		return api.sendMessage(ctx, r)
	}
}

// sendVenue sends a place on the map: a venue (a pin with its title and
// address, which the person's phone opens a route to), or a bare
// location when there is no address (Telegram requires one).
func sendVenue(ctx context.Context, api *Telegram, r flows.Reply) error {
	v := r.Venue
	lat, lon := float64(v.LatE6)/1e6, float64(v.LonE6)/1e6
	if v.Address == "" {
		_, err := api.SendLocation(ctx, &tg.SendLocationParams{ChatID: r.ChatID, Latitude: lat, Longitude: lon, ReplyMarkup: markup(r)})
		return err
	}
	_, err := api.SendVenue(ctx, &tg.SendVenueParams{ChatID: r.ChatID, Latitude: lat, Longitude: lon,
		Title: v.Title, Address: v.Address, ReplyMarkup: markup(r)})
	return err
}

// htmlEscaper escapes what Telegram's HTML mode reads as markup, and
// nothing else (it knows few named entities).
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// textOf is a message's text as sent: a Pre one in an HTML <pre> block,
// escaped, anything else as plain text.
func textOf(r flows.Reply) (string, models.ParseMode) {
	if !r.Pre {
		return r.Text, ""
	}
	return "<pre>" + htmlEscaper.Replace(r.Text) + "</pre>", models.ParseModeHTML
}

func edit(ctx context.Context, api *Telegram, r flows.Reply) error {
	if r.Text == "" {
		return api.editMarkup(ctx, r)
	}
	return api.editText(ctx, r)
}

// chatCommands sets (or, with none, removes) a chat's own command menu.
func chatCommands(ctx context.Context, api *Telegram, chatID int64, cmds []flows.Command) error {
	scope := &models.BotCommandScopeChat{ChatID: chatID}
	if len(cmds) == 0 {
		_, err := api.DeleteMyCommands(ctx, &tg.DeleteMyCommandsParams{Scope: scope})
		return err
	}
	var out []models.BotCommand
	for _, c := range cmds {
		out = append(out, models.BotCommand{Command: c.Name, Description: c.Description})
	}
	_, err := api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: out, Scope: scope})
	return err
}

// Telegram's limits, in UTF-16 code units after entities parsing: a
// message's text, and a photo's or document's caption.
const (
	maxMessageText = 4096
	maxCaption     = 1024
)

// textLimit is how long r's text may be: a caption when r carries a
// picture or a file.
func textLimit(r flows.Reply) int {
	if r.QR != "" || r.Photo != "" || len(r.PNG) > 0 || r.Export != nil || r.Document != nil {
		return maxCaption
	}
	return maxMessageText
}

// fitText cuts s to limit UTF-16 code units, the last of them "…", at a
// character's boundary. Flows keep their texts inside the limits; this
// is the net under a list that grew past them (a chain's staff in one
// report), which Telegram would refuse whole, so the message would be
// lost rather than cut.
func fitText(s string, limit int) string {
	if len(s) <= limit { // bytes ≥ code units
		return s
	}
	n := 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if n+w > limit-1 {
			return s[:i] + "…"
		}
		n += w
	}
	return s
}

// sendExport streams an export as a CSV document. One over limit (Telegram
// refuses documents over 50 MB, and would be asked again and again) is
// cut off there and sent once more zipped, about a tenth the size; still
// over, the chat is told so in the words the flow gave (TooLarge), and
// the reply is done.
func sendExport(ctx context.Context, api *Telegram, r flows.Reply, export Exporter, limit int64) error {
	doc := *r.Export
	over, err := uploadExport(ctx, api, r, doc.Name, limit, func(w io.Writer) error { return export(ctx, doc, w) })
	if !over {
		return err
	}
	inner := doc.Name
	over, err = uploadExport(ctx, api, r, inner+".zip", limit, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		f, err := zw.CreateHeader(&zip.FileHeader{Name: inner, Method: zip.Deflate, Modified: time.Now()})
		if err != nil {
			return err
		}
		if err := export(ctx, doc, f); err != nil {
			return err
		}
		return zw.Close()
	})
	if !over {
		return err
	}
	if doc.TooLarge == "" {
		return errExportTooLarge
	}
	return api.sendMessage(ctx, flows.Reply{ChatID: r.ChatID, Text: doc.TooLarge})
}

// uploadExport sends the file write writes as document name, cut off
// past limit bytes: over is true then, and the upload was abandoned.
func uploadExport(ctx context.Context, api *Telegram, r flows.Reply, name string, limit int64, write func(io.Writer) error) (over bool, err error) {
	pr, pw := io.Pipe()
	cw := &cappedWriter{w: pw, left: limit}
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(write(cw))
	}()
	_, err = api.SendDocument(ctx, &tg.SendDocumentParams{
		ChatID:      r.ChatID,
		Document:    &models.InputFileUpload{Filename: name, Data: pr},
		Caption:     r.Text,
		ReplyMarkup: markup(r),
	})
	pr.CloseWithError(errUploadOver)
	<-done
	return cw.over, err
}

// cappedWriter passes on at most left bytes; a write past them fails,
// and over says so (read once the writer's goroutine is done).
type cappedWriter struct {
	w    io.Writer
	left int64
	over bool
}

func (c *cappedWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		c.over = true
		return 0, errExportTooLarge
	}
	c.left -= int64(len(p))
	return c.w.Write(p)
}
