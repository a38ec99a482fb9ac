package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
	"github.com/loyaltybot/loyaltybot/locales"
)

// TestPrivacyURLMustBeALink: privacy_url becomes a URL button on the
// consent question, the first step of every join; Telegram refuses a
// button whose URL is not a link (BUTTON_URL_INVALID), so a
// typo would fail every join. It is refused at start, naming the field,
// as review_url is.
func TestPrivacyURLMustBeALink(t *testing.T) {
	checkConfigEdits(t, []configEdit{
		{`privacy_url = ""`, `privacy_url = "example.com/privacy"`, "privacy_url"},
		{`privacy_url = ""`, `privacy_url = "https://example.com/our privacy"`, "privacy_url"},
		{`privacy_url = ""`, `privacy_url = "javascript:alert(1)"`, "privacy_url"},
	})
	src := strings.Replace(string(exampleConfig), `privacy_url = ""`, `privacy_url = "https://example.com/privacy"`, 1)
	if _, err := loadBusiness([]byte(src), "test", locales.Languages()); err != nil {
		t.Fatalf("an https privacy_url: %v", err)
	}
}

// TestStoreCodesDifferInMoreThanCase: store codes are looked up without
// regard to case (s_CENTRAL from a poster, --store Central), so two
// codes that differ only in case would make every lookup of either one
// ambiguous; the config refuses the second, naming it.
func TestStoreCodesDifferInMoreThanCase(t *testing.T) {
	checkConfigEdits(t, []configEdit{
		{`code = "river"`, `code = "Central"`, "stores[1].code"},
	})
}

// TestRestoreTakesPlaygroundAfterTheFile: `loyaltybot restore FILE
// [--playground]`, as the usage writes it, reads --playground after the
// file too (as `apikey revoke PREFIX --playground` does), rather than
// refusing the command line.
func TestRestoreTakesPlaygroundAfterTheFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "shop.dump")
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"restore", missing, "--playground"}, envFunc(nil), io.Discard, &stderr)
	if errors.Is(err, errUsage) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("restore FILE --playground: %v (stderr %q), want the missing file's error", err, stderr.String())
	}
}

// TestAtDateIsNoonOnADSTDay: --at 2026-03-29 is noon in the first
// store's time zone, as the usage says, on the day the clocks go
// forward too (not 13:00).
func TestAtDateIsNoonOnADSTDay(t *testing.T) {
	src := strings.ReplaceAll(string(exampleConfig), `timezone = "Europe/Moscow"`, `timezone = "Europe/Berlin"`)
	b, err := loadBusiness([]byte(src), "test", locales.Languages())
	if err != nil {
		t.Fatal(err)
	}
	for _, day := range []string{"2026-03-29", "2026-10-25"} {
		at, err := parseAt(day, b)
		if err != nil {
			t.Fatal(err)
		}
		loc, _ := time.LoadLocation("Europe/Berlin")
		if h, m := at.In(loc).Hour(), at.In(loc).Minute(); h != 12 || m != 0 {
			t.Errorf("--at %s = %s, want 12:00 there", day, at.In(loc).Format(time.RFC3339))
		}
	}
}

// TestStoreCodeRecasedInConfig: an owner who writes a store's code in
// another case ("central" → "Central") still has one store: the admin
// commands find it, rather than failing on two rows for one code.
func TestStoreCodeRecasedInConfig(t *testing.T) {
	url := pgtest.NewDB(t)
	dir := t.TempDir()
	ctx := context.Background()
	cli := func(config string, args ...string) error {
		env := envFunc(map[string]string{"DATABASE_URL": url, "LOYALTYBOT_CONFIG": config})
		return run(ctx, args, env, io.Discard, io.Discard)
	}
	before := filepath.Join(dir, "before.toml")
	after := filepath.Join(dir, "after.toml")
	os.WriteFile(before, exampleConfig, 0o600)
	os.WriteFile(after, []byte(strings.Replace(string(exampleConfig), `code = "central"`, `code = "Central"`, 1)), 0o600)
	if err := cli(before, "apikey", "create", "--store", "central"); err != nil {
		t.Fatal(err)
	}
	if err := cli(after, "apikey", "create", "--store", "Central"); err != nil {
		t.Fatalf("after the code's case changed: %v", err)
	}
}

// `loyaltybot help` lists the environment the program reads: every
// variable loadEnv asks for, SEND_RATE included.
func TestUsageNamesEveryVariable(t *testing.T) {
	asked := map[string]bool{}
	loadEnv(func(k string) string { asked[k] = true; return "" }, false)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, envFunc(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	env := out.String()[strings.Index(out.String(), "Environment:"):]
	for k := range asked {
		if !strings.Contains(env, k) {
			t.Errorf("loyaltybot help's Environment leaves out %s:\n%s", k, env)
		}
	}
}

// TestServeAndMigrateTakeNoArguments: "loyaltybot migrate --playground"
// and "loyaltybot serve --help" neither migrate nor start the shop's bot
// as if typed plain: help shows the usage, anything else is refused,
// before the database is touched (DATABASE_URL points nowhere here).
func TestServeAndMigrateTakeNoArguments(t *testing.T) {
	env := func(k string) string {
		if k == "DATABASE_URL" {
			return "postgres://nobody@127.0.0.1:1/none?connect_timeout=1"
		}
		return ""
	}
	for _, cmd := range []string{"serve", "migrate"} {
		var out, errOut bytes.Buffer
		if err := run(t.Context(), []string{cmd, "--help"}, env, &out, &errOut); err != nil || !strings.Contains(out.String(), "loyaltybot migrate") {
			t.Errorf("%s --help: %v, stdout %q", cmd, err, out.String())
		}
		out.Reset()
		errOut.Reset()
		err := run(t.Context(), []string{cmd, "--playground"}, env, &out, &errOut)
		if !errors.Is(err, errUsage) || !strings.Contains(errOut.String(), "takes no arguments") {
			t.Errorf("%s --playground: %v, stderr %q", cmd, err, errOut.String())
		}
	}
}

// TestConfigErrorNamesTheFileOnce: a problem found while reading the
// file (the program's rounding) and one found by the business's
// validation (a store's time zone) read alike: "config <file>: <field>:
// …", the word config once.
func TestConfigErrorNamesTheFileOnce(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{`rounding = "down"`, `rounding = "sideways"`, "config ./shop.toml: program.rounding: "},
		{`timezone = "Europe/Moscow"`, `timezone = "Mars/Olympus"`, "config ./shop.toml: stores[0].timezone: "},
	} {
		src := strings.Replace(string(exampleConfig), c.from, c.to, 1)
		_, err := loadBusiness([]byte(src), "./shop.toml", locales.Languages())
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Count(err.Error(), "config") != 1 {
			t.Errorf("%s: %v, want it to start %q", c.to, err, c.want)
		}
	}
}
