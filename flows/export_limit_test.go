package flows_test

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot"
	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// TestExportOverTelegramsLimitIsZippedOrExplained: Telegram takes
// documents up to 50 MB (here a limit of 2,500 bytes stands for it). A
// customers export over it comes zipped, whole; one over it even zipped
// is not uploaded again and again but explained in a message, once.
func TestExportOverTelegramsLimitIsZippedOrExplained(t *testing.T) {
	t.Parallel()
	const limit = 2500
	h := bottest.NewWithBot(t, func(c *bot.Config) { c.DocumentLimit = limit }, withOwner)
	owner := h.Chat(ownerID, "Olga", "en")
	for i := range int64(40) {
		join(t, h, 300+i, "Customer")
	}
	owner.Send("/export").Tap("👥 Customers")
	last := owner.Last()
	d := last.Document
	if d == nil || d.FileName != "customers-2026-11-22.csv.zip" || len(d.Data) > limit {
		t.Fatalf("want a zipped export under the limit:\n%s", owner.Transcript())
	}
	zr, err := zip.NewReader(bytes.NewReader(d.Data), int64(len(d.Data)))
	if err != nil || len(zr.File) != 1 || zr.File[0].Name != "customers-2026-11-22.csv" {
		t.Fatalf("not a zip of the CSV: %v", err)
	}
	f, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	csv, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(string(csv), "\n"); len(csv) <= limit || rows != 1+40 { // the header and 40 customers
		t.Fatalf("the zipped CSV: %d bytes, %d lines; want it whole and over the limit", len(csv), rows)
	}
	if !strings.HasPrefix(last.Caption, "With personal data") {
		t.Error("the zipped export lost its caption")
	}

	small := bottest.NewWithBot(t, func(c *bot.Config) { c.DocumentLimit = 100 }, withOwner)
	owner = small.Chat(ownerID, "Olga", "en")
	join(t, small, 300, "Customer")
	owner.Send("/export").Tap("👥 Customers")
	small.Settle()
	if got := owner.Last(); got.Document != nil || !strings.HasPrefix(got.Text, "This file is too large for Telegram") {
		t.Fatalf("an export too large even zipped:\n%s", owner.Transcript())
	}
	if n := countRows(t, small, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`); n != 0 {
		t.Errorf("%d messages still to send: the export is to be tried again", n)
	}
}
