package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/loyaltybot/loyaltybot/bot/posapi"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
	"github.com/loyaltybot/loyaltybot/locales"
)

// TestAPIKeyListAndRevoke: `apikey list` shows each key's prefix, store,
// creation and revocation but never the key; `apikey revoke PREFIX` stops
// the key at once, even for an API that has just used (and cached) it.
func TestAPIKeyListAndRevoke(t *testing.T) {
	url := pgtest.NewDB(t)
	env := envFunc(map[string]string{"DATABASE_URL": url})
	ctx := context.Background()
	cli := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, args, env, &out, io.Discard); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out.String()
	}
	lastLine := func(s string) string {
		lines := strings.Split(strings.TrimSpace(s), "\n")
		return lines[len(lines)-1]
	}
	central := lastLine(cli("apikey", "create", "--store", "central"))
	river := lastLine(cli("apikey", "create", "--store", "river"))

	list := cli("apikey", "list")
	for _, key := range []string{central, river} {
		if !regexp.MustCompile(`(?m)^` + key[:7] + `\s+\S+\s+\d{4}-\d\d-\d\dT\S+\s+-$`).MatchString(list) {
			t.Errorf("list lacks live key %s:\n%s", key[:7], list)
		}
		if strings.Contains(list, key[7:]) {
			t.Fatalf("list shows a key:\n%s", list)
		}
	}
	if only := cli("apikey", "list", "--store", "river"); strings.Contains(only, central[:7]) || !strings.Contains(only, river[:7]) {
		t.Errorf("list --store river:\n%s", only)
	}

	// A running API, which has just used (and cached) the key.
	db, err := postgres.Open(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// The database holds each key's SHA-256 and its 7-character prefix,
	// never the key: no column of any row spells the rest of it.
	for _, key := range []string{central, river} {
		var n, clear int
		err := db.Pool().QueryRow(ctx, `SELECT count(*) FILTER (WHERE key_hash = sha256($1::bytea)),
			count(*) FILTER (WHERE t::text LIKE '%' || $2 || '%' OR encode(key_hash, 'escape') LIKE '%' || $2 || '%')
			FROM api_keys t`, []byte(key), key[7:]).Scan(&n, &clear)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 || clear != 0 {
			t.Errorf("key %s: %d rows by its SHA-256 (want 1), %d rows holding it in clear (want 0)", key[:7], n, clear)
		}
	}
	biz, err := readBusiness("", locales.Languages())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := domain.NewCardSigner([]byte(strings.Repeat("s", 32)), biz.CardTokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	api := posapi.New(posapi.Config{Store: db, Business: biz, Signer: signer,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	call := func(method, path, key string) int {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// A made-up card code is refused before any query; an unknown purchase
	// after one.
	for _, c := range []struct{ method, path string }{{"GET", "/api/v1/cards/123456789012"}, {"POST", "/api/v1/purchases/nope/cancel"}} {
		if got := call(c.method, c.path, central); got != http.StatusNotFound {
			t.Fatalf("%s %s with a live key: %d, want 404", c.method, c.path, got)
		}
	}

	if out := cli("apikey", "revoke", central[:7]); !strings.Contains(out, central[:7]) {
		t.Errorf("revoke output: %q", out)
	}
	for _, c := range []struct{ method, path string }{{"GET", "/api/v1/cards/123456789012"}, {"POST", "/api/v1/purchases/nope/cancel"}} {
		if got := call(c.method, c.path, central); got != http.StatusUnauthorized {
			t.Errorf("%s %s with the revoked key: %d, want 401 at once", c.method, c.path, got)
		}
	}
	if got := call("GET", "/api/v1/cards/123456789012", river); got != http.StatusNotFound {
		t.Errorf("the other store's key after the revocation: %d, want it still working (404)", got)
	}
	if !regexp.MustCompile(`(?m)^` + central[:7] + `\s+central\s+\S+\s+\d{4}-\d\d-\d\dT\S+$`).MatchString(cli("apikey", "list")) {
		t.Errorf("list does not show the revocation:\n%s", cli("apikey", "list"))
	}
	for _, args := range [][]string{
		{"apikey", "revoke", "lb_zzzz"}, // no such key
		{"apikey", "revoke"},            // no prefix
		{"apikey", "list", "--store", "nowhere"},
	} {
		if err := run(ctx, args, env, io.Discard, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
