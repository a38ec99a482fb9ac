package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestHealthzTellsNothingOfTheDatabase: /healthz is open to anyone, so a
// failing database gives a fixed 503 answer; the error goes to the log.
func TestHealthzTellsNothingOfTheDatabase(t *testing.T) {
	db, err := postgres.Open(context.Background(), pgtest.NewDB(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	a := &app{db: db, log: slog.New(slog.NewTextHandler(&logs, nil))}
	get := func() (int, string, string) {
		rec := httptest.NewRecorder()
		a.healthz(rec, httptest.NewRequest("GET", "/healthz", nil))
		body, _ := io.ReadAll(rec.Result().Body)
		return rec.Code, rec.Header().Get("Content-Type"), string(body)
	}
	if code, ct, body := get(); code != http.StatusOK || ct != "application/json" || body != `{"status":"ok"}`+"\n" {
		t.Errorf("healthy: %d %s %q", code, ct, body)
	}
	db.Close() // the database is gone
	code, ct, body := get()
	if code != http.StatusServiceUnavailable || ct != "application/json" || body != `{"status":"unavailable"}`+"\n" {
		t.Errorf("database down: %d %s %q, want 503 {\"status\":\"unavailable\"}", code, ct, body)
	}
	if !strings.Contains(logs.String(), "closed pool") {
		t.Errorf("the database error is not logged:\n%s", logs.String())
	}
}
