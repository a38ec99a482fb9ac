package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
	"github.com/loyaltybot/loyaltybot/locales"
)

func TestMain(m *testing.M) {
	runChildIfAsked() // the kill -9 fault test's bot (fault_child_test.go)
	pgtest.Main(m)
}

// syncBuffer is a bytes.Buffer safe for the program's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envFunc(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestServeEndToEnd runs the real serve command against the fake Bot API
// and a test database: a customer joins, health and metrics answer, and
// SIGTERM (a cancelled context) shuts it down cleanly.
func TestServeEndToEnd(t *testing.T) {
	fake, err := tgfake.Start("127.0.0.1:0", tgfake.WithBotUsername("e2e_bot"), tgfake.WithToken("42:e2e"))
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	env := envFunc(map[string]string{
		"TELEGRAM_BOT_TOKEN": "42:e2e",
		"TELEGRAM_API_URL":   fake.URL(),
		"DATABASE_URL":       pgtest.NewDB(t),
		"CARD_SECRET":        strings.Repeat("ab", 32),
		"HTTP_ADDR":          "127.0.0.1:0",
	})
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, env, stdout, stderr) }()

	addr := waitFor(t, stdout, regexp.MustCompile(`health on http://(\S+)/healthz`))
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v\n%s", resp, err, stderr)
	}
	resp.Body.Close()

	u := fake.User(7001, "Nina", "ru")
	u.SendText("/start s_central")
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	msgs, err := u.WaitMessages(wctx, 2)
	if err != nil {
		t.Fatalf("no answer to /start: %v\n%s", err, stderr)
	}
	if !strings.Contains(msgs[1].Text, "персональных данных") {
		t.Fatalf("consent question not in Russian: %q", msgs[1].Text)
	}
	if cmds := fake.Commands(`{"type":"all_private_chats"}`, "ru"); len(cmds) == 0 {
		t.Errorf("no Russian commands registered")
	}

	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !regexp.MustCompile(`loyaltybot_updates_total [1-9]`).Match(body) {
		t.Fatalf("metrics do not count the update:\n%s", body)
	}
	for _, series := range []string{`loyaltybot_outbox_pending \d`, `loyaltybot_db_connections_total [1-9]`, `go_goroutines [1-9]`} {
		if !regexp.MustCompile(series).Match(body) {
			t.Fatalf("metrics lack %s:\n%s", series, body)
		}
	}

	// An owner made with the invite command opens the link in Telegram.
	var out bytes.Buffer
	if err := run(ctx, []string{"invite", "--role", "owner"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	link := lines[len(lines)-1]
	if !strings.HasPrefix(link, "https://t.me/e2e_bot?start=i_") {
		t.Fatalf("invite link %q", link)
	}
	owner := fake.User(7002, "Olga", "en")
	owner.SendText("/start " + strings.TrimPrefix(link, "https://t.me/e2e_bot?start="))
	if msgs, err := owner.WaitMessages(wctx, 1); err != nil || !strings.Contains(msgs[0].Text, "owner") {
		t.Fatalf("owner invite not accepted: %v %v", msgs, err)
	}
	owner.SendText("/staff")
	if msgs, err := owner.WaitMessages(wctx, 2); err != nil || !strings.Contains(msgs[1].Text, "Staff") {
		t.Fatalf("the new owner has no /staff: %v %v", msgs, err)
	}

	// The POS API answers on the same port (a wrong key: 401 in JSON).
	resp, err = http.Post("http://"+addr+"/api/v1/purchases", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("POS API without a key: HTTP %d, want 401", resp.StatusCode)
	}

	// The network drops a long poll: the log says so without the token.
	fake.FailNext("getUpdates", 1, tgfake.Failure{Drop: true})
	u.SendText("/help")
	waitFor(t, stderr, regexp.MustCompile(`msg=getUpdates err=".*(bot<redacted>/getUpdates)`))
	if strings.Contains(stderr.String(), "42:e2e") {
		t.Errorf("the bot token is in the log:\n%s", stderr)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v\n%s", err, stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

func waitFor(t *testing.T, out *syncBuffer, re *regexp.Regexp, logs ...*syncBuffer) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	var extra string
	for _, l := range logs {
		extra += l.String()
	}
	t.Fatalf("no %q in output:\n%s\n%s", re, out, extra)
	return ""
}

func TestServeRefusesBadEnvironment(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "TELEGRAM_BOT_TOKEN"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "1:x"}, "CARD_SECRET"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "1:x", "CARD_SECRET": "short"}, "CARD_SECRET"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "1:x", "CARD_SECRET": strings.Repeat("x", 40), "WEBHOOK_URL": "https://a.example/hook"}, "WEBHOOK_SECRET"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "1:x", "CARD_SECRET": strings.Repeat("x", 40), "WEBHOOK_URL": "http://a.example/hook", "WEBHOOK_SECRET": "abc"}, "WEBHOOK_URL"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "1:x", "CARD_SECRET": strings.Repeat("x", 40), "WEBHOOK_URL": "https://bot.example.com/", "WEBHOOK_SECRET": strings.Repeat("s", 32)}, "https://bot.example.com/telegram/webhook"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "1:x", "CARD_SECRET": strings.Repeat("x", 40), "LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "1:x\ny", "CARD_SECRET": strings.Repeat("x", 40)}, "TELEGRAM_BOT_TOKEN: holds"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "1:x", "CARD_SECRET": strings.Repeat("x", 40), "LOYALTYBOT_CONFIG": "/nonexistent.toml"}, "LOYALTYBOT_CONFIG"},
	}
	for _, c := range cases {
		err := run(context.Background(), []string{"serve"}, envFunc(c.env), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("env %v: error %v, want one naming %s", c.env, err, c.want)
		}
	}
}

func TestBusinessConfigErrorsNameTheField(t *testing.T) {
	base, err := os.ReadFile("config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ from, to, want string }{
		{`currency = "RUB"`, `currency = "rubles"`, "currency"},
		{`default_language = "ru"`, `default_language = "fr"`, "default_language"},
		{`languages = ["ru", "en", "uz"]`, `languages = ["ru", "xx", "uz"]`, "languages[1]"},
		{`welcome_bonus = 100`, `welcome_bonus = -5`, "welcome_bonus"},
		{`card_token_ttl = "10m"`, `card_token_ttl = "ten minutes"`, "card_token_ttl"},
		{`card_token_ttl = "10m"`, `card_token_ttl = "5s"`, "card_token_ttl"},
		{`timezone = "Europe/Moscow"`, `timezone = "Mars/Olympus"`, "stores[0].timezone"},
		{`code = "river"`, `code = "central"`, "stores[1].code"},
		{`name = "Coffee & Co"`, "name = \"Coffee & Co\"\nwelcome_bonsu = 5", "welcome_bonsu"},
		{`presets = ["basic", "pets"]`, `presets = ["basic", "cats"]`, "questionnaire.presets[1]"},
		{`type = "choice"`, `type = "colour"`, "questionnaire.questions"},
		{`en = "Which milk do you prefer?", uz = "Qaysi sutni afzal koʻrasiz?" }`, `en = "Which milk do you prefer?" }`, "questionnaire.questions"},
		{`section = "coffee"`, `section = "tea"`, "questionnaire.questions"},
		{"max = 20\n", "max = 20\nif = { question = \"coffee_milk\", equals = \"soy\" }\n", ".if"},
		{`earn_percent = "7"`, `earn_percent = 7.5`, "program.tiers[2].earn_percent"},
		{"max = 20\n", "max = 20\nif = { question = \"coffee_cups\", equals = \"yes\" }\n", "cycle"},
		{`expire_points = "30 3 * * *"`, `expire_points = "at half past three"`, "jobs.expire_points"},
		{`expire_points = "30 3 * * *"`, `expire_pionts = "30 3 * * *"`, "jobs.expire_pionts"},
		{`delay = "2h"`, `delay = "two hours"`, "feedback.delay"},
		{`quiet_hours = "22:00-09:00"`, `quiet_hours = "22-9"`, "feedback.quiet_hours"},
		{`low_threshold = 3`, `low_threshold = 6`, "feedback.low_threshold"},
		{`id = "sales"`, `id = "Sales!"`, "topics[1].id"},
		{`id = "events"`, `id = "sales"`, "topics[2].id"},
		{`title = { ru = "События", en = "Events", uz = "Tadbirlar" }`, `title = { ru = "События", uz = "Tadbirlar" }`, "topics[2].title.en"},
		{`title = { ru = "События", en = "Events", uz = "Tadbirlar" }`, `title = { ru = "События", en = "Events" }`, "topics[2].title.uz"},
		{`default = false`, `default = "no"`, "topics"},
		{`groups = ["pets"]`, `groups = ["cats"]`, "nudges.rules.pet_birthday.groups"},
		{`groups = ["pets"]`, `groups = ["coffee_milk"]`, "nudges.rules.pet_birthday.groups"},
		{`groups = ["pets"]`, `groups = []`, "nudges.rules.pet_birthday.groups"},
	}
	for _, c := range cases {
		src := strings.Replace(string(base), c.from, c.to, 1)
		if src == string(base) {
			t.Fatalf("case %q does not apply to the example config", c.from)
		}
		path := filepath.Join(t.TempDir(), "c.toml")
		os.WriteFile(path, []byte(src), 0o644)
		_, err := readBusiness(path, locales.Languages())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %v, want an error naming %s", c.to, err, c.want)
		}
	}
	if _, err := readBusiness("", locales.Languages()); err != nil {
		t.Fatalf("the embedded example config is invalid: %v", err)
	}
}

// TestInviteAndAPIKeyCommands runs the admin commands against a test
// database: each prints its secret alone on the last line.
func TestInviteAndAPIKeyCommands(t *testing.T) {
	env := envFunc(map[string]string{"DATABASE_URL": pgtest.NewDB(t)})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"invite", "--role", "owner", "--bot", "shop_bot"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`\nhttps://t\.me/shop_bot\?start=i_[A-Za-z0-9_-]{22}\n$`).MatchString(out.String()) {
		t.Fatalf("invite output:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"apikey", "create", "--store", "central"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`\nlb_[A-Za-z0-9_-]{32}\n$`).MatchString(out.String()) {
		t.Fatalf("apikey output:\n%s", out.String())
	}
	for _, args := range [][]string{
		{"invite", "--role", "boss", "--bot", "b"},
		{"invite", "--role", "cashier", "--bot", "b"},
		{"invite", "--role", "cashier", "--store", "nowhere", "--bot", "b"},
		{"apikey", "create", "--store", "nowhere"},
		{"loadtest", "-cards", "0"},
		{"loadtest", "-redeem-every", "-1"},
	} {
		if err := run(context.Background(), args, env, io.Discard, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// TestLoadtestCommand keeps the load command working: a short run must
// record every purchase it sent without errors, over HTTP with some paying
// points, and on the database alone.
func TestLoadtestCommand(t *testing.T) {
	for _, mode := range [][]string{{"-redeem-every", "3"}, {"-db"}} {
		var out bytes.Buffer
		args := append([]string{"loadtest", "-duration", "500ms", "-cards", "5", "-history", "2", "-concurrency", "2"}, mode...)
		err := run(context.Background(), args, envFunc(map[string]string{}), &out, io.Discard)
		if err != nil {
			t.Fatalf("%v: %v\n%s", mode, err, out.String())
		}
		if !regexp.MustCompile(`[1-9]\d* requests, 0 errors in .*req/s, p50`).MatchString(out.String()) {
			t.Fatalf("%v: loadtest output:\n%s", mode, out.String())
		}
	}
}

// TestPlaygroundServesPageAndAPI runs the playground: its chat page's own
// /api/ and the POS API share the port without shadowing each other.
func TestPlaygroundServesPageAndAPI(t *testing.T) {
	// The embedded cluster runs as the postgres user when root: it must
	// reach the data folder.
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o755)
	env := envFunc(map[string]string{"LOYALTYBOT_DATA": dir, "HTTP_ADDR": "127.0.0.1:0"})
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &syncBuffer{}
	done := make(chan error, 1)
	stderr := &syncBuffer{}
	go func() { done <- run(ctx, []string{"playground"}, env, stdout, stderr) }()
	addr := waitFor(t, stdout, regexp.MustCompile(`open http://(\S+)`), stderr)
	base := "http://" + addr
	resp, err := http.Post(base+"/api/chats/101/text", "application/json", strings.NewReader(`{"text": "/start s_central"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("playground chat API: %v %v", resp, err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/api/chats/101")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "Coffee") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bot did not answer in the playground:\n%s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err = http.Get(base + "/api/v1/cards/123456789012")
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("POS API in the playground: %v %v", resp, err)
	}
	resp.Body.Close()

	// An admin command beside the running bot works on its database (the
	// embedded cluster the playground runs), not "already running": the
	// key it prints opens the running POS API.
	var keyOut bytes.Buffer
	if err := run(ctx, []string{"apikey", "create", "--store", "central", "--playground"}, env, &keyOut, io.Discard); err != nil {
		t.Fatalf("apikey create beside the running playground: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(keyOut.String()), "\n")
	req, _ := http.NewRequest("GET", base+"/api/v1/cards/123456789012", nil)
	req.Header.Set("Authorization", "Bearer "+lines[len(lines)-1])
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("POS API with the key made beside it: %v %v, want 404 card_not_found", resp, err)
	}
	resp.Body.Close()
	// A backup is made beside the running bot; a restore is refused.
	file := filepath.Join(t.TempDir(), "playground.dump")
	if err := run(ctx, []string{"backup", "--playground", "--out", file}, env, io.Discard, io.Discard); err != nil {
		t.Fatalf("backup beside the running playground: %v", err)
	}
	if err := run(ctx, []string{"restore", "--playground", file}, env, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "the bot is running") {
		t.Fatalf("restore beside the running playground: %v, want it refused", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
