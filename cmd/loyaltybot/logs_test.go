package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/posapi"
	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// downStore is a database that refuses every transaction.
type downStore struct{ domain.Store }

func (downStore) Update(context.Context, func(tx domain.Tx) error) error {
	return errors.New("connection refused")
}

// TestInfoLogsHoldNoPersonalData runs the whole bot with the production
// log handler (newLogger) at info level into a buffer, through the flows
// that handle personal data: a join with a typed phone and name, a
// checkout by card QR, a low rating with a comment (which alerts the
// owner), a /privacy export, an update that fails (logged as an error),
// and a POS call that fails on a card's code. None of the phone, names,
// comment, card number, typed code, card token or invite token may be in
// the log: the log says which update, chat or route, never what was in it.
func TestInfoLogsHoldNoPersonalData(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	log := newLogger(logs, &env{Token: "123:test", LogLevel: slog.LevelInfo})
	h := bottest.NewLogged(t, log, func(b *domain.Business) { b.Owners = []int64{900} })
	ctx := context.Background()

	owner := h.Chat(900, "Olga", "en")
	owner.Send("/staff").Tap("➕ Invite a cashier").Tap("Central")
	invite := regexp.MustCompile(`start=i_([A-Za-z0-9_-]+)`).FindStringSubmatch(owner.Last().Caption)
	if invite == nil {
		t.Fatalf("no invite link:\n%s", owner.Transcript())
	}
	cashier := h.Chat(901, "Borislav", "en").Send("/start i_" + invite[1])

	zina := h.Chat(101, "Zinaida", "en")
	zina.Send("/start s_central").Tap("✅ I agree").Send("+7 916 555-43-21").Send("Zinochka Petrova").Tap("No, thanks")
	zina.Send("/card")
	photo, ok := zina.LastPhoto()
	if !ok {
		t.Fatalf("no card:\n%s", zina.Transcript())
	}
	link, err := bottest.DecodeQR(photo.Photo)
	if err != nil {
		t.Fatal(err)
	}
	_, payload, _ := strings.Cut(link, "?start=")
	cashier.Send("/start " + payload).Send("1000").Tap("➕ Accrue +30").Tap("✅ Confirm")
	zina.Send("/feedback").Tap("2⭐").Send("The barista Kolya spilled milk on my coat")
	owner.Sync()
	zina.Send("/privacy").Tap("📦 Download my data")
	if zina.Last().Document == nil {
		t.Fatalf("no export:\n%s", zina.Transcript())
	}

	// An update that fails: the database refuses every reply to
	// Zinaida's chat, so her text is logged as a failed update and set
	// aside (the polite error message is refused too).
	for _, sql := range []string{
		`CREATE FUNCTION refuse_chat() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'chat % refused by the test', NEW.chat_id; END $$`,
		`CREATE TRIGGER refuse_chat BEFORE INSERT OR UPDATE ON outbox
		FOR EACH ROW WHEN (NEW.chat_id = 101) EXECUTE FUNCTION refuse_chat()`,
	} {
		if _, err := h.DB.Pool().Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	zina.Send("Call me at +79165554321, Zinochka Petrova")

	var purchases, comments int
	if err := h.DB.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM purchases), (SELECT count(*) FROM feedback WHERE comment LIKE '%spilled milk%')`).Scan(&purchases, &comments); err != nil {
		t.Fatal(err)
	}
	if purchases != 1 || comments != 1 {
		t.Fatalf("%d purchases, %d comments: the flows did not run as planned\n%s\n%s", purchases, comments, zina.Transcript(), cashier.Transcript())
	}
	var number string
	if err := h.DB.Pool().QueryRow(ctx, `SELECT k.number FROM cards k JOIN customers c ON c.id = k.customer_id WHERE c.telegram_id = 101`).Scan(&number); err != nil {
		t.Fatal(err)
	}
	code := h.Signer.Code(number, h.Clock.Now())

	// The POS API with the same logger, its database down: a card's
	// code in the path is not logged.
	api := posapi.New(posapi.Config{Store: downStore{h.DB}, Business: h.Biz, Signer: h.Signer, Logger: log})
	srv := httptest.NewServer(api.Handler())
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/cards/"+code+"?amount=100", nil)
	req.Header.Set("Authorization", "Bearer lb_somekey")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h.Settle()

	got := logs.String()
	for _, want := range []string{"level=ERROR msg=\"handle update\"", "pos api: internal error"} {
		if !strings.Contains(got, want) {
			t.Fatalf("the log lacks %q: the failures did not happen as planned\n%s", want, got)
		}
	}
	token := strings.TrimPrefix(payload, "c_")
	for _, secret := range []string{"+7 916 555-43-21", "79165554321", "9165554321", "555-43-21", "Zinaida", "Zinochka",
		"Petrova", "Borislav", "Kolya", "spilled milk", number, code, token, invite[1], "123:test"} {
		if strings.Contains(got, secret) {
			t.Errorf("the info log holds %q:\n%s", secret, got)
		}
	}
	if testing.Verbose() {
		t.Logf("the log:\n%s", got)
	}
}

// TestTokenWithNewlineNotPrinted: a token pasted with its line end (a
// Kubernetes secret made --from-file, an .env saved on Windows) is the
// token all the same. serve must neither fail on it nor print it: the
// error of a request whose URL holds a control character quotes the
// whole URL, token and all, past the log's redaction.
func TestTokenWithNewlineNotPrinted(t *testing.T) {
	const token = "7012345678:AAHk3v-Secret_Part_Of-The-Token42"
	fake, err := tgfake.Start("127.0.0.1:0", tgfake.WithBotUsername("nl_bot"), tgfake.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	for _, pasted := range []string{token + "\n", token + "\r\n", " " + token + " "} {
		env := envFunc(map[string]string{
			"TELEGRAM_BOT_TOKEN": pasted,
			"TELEGRAM_API_URL":   fake.URL(),
			"DATABASE_URL":       pgtest.NewDB(t),
			"CARD_SECRET":        strings.Repeat("ab", 32),
			"HTTP_ADDR":          "127.0.0.1:0",
		})
		ctx, cancel := context.WithCancel(context.Background())
		stdout, stderr := &syncBuffer{}, &syncBuffer{}
		done := make(chan error, 1)
		go func() { done <- run(ctx, []string{"serve"}, env, stdout, stderr) }()
		var runErr error
		deadline := time.After(30 * time.Second)
	wait:
		for {
			select {
			case runErr = <-done:
				break wait
			case <-deadline:
				t.Fatalf("token %q: serve neither started nor failed\n%s", pasted, stderr)
			case <-time.After(10 * time.Millisecond):
				if strings.Contains(stdout.String(), "loyaltybot is running as @nl_bot") {
					cancel()
					runErr = <-done
					break wait
				}
			}
		}
		cancel()
		printed := stdout.String() + stderr.String()
		if runErr != nil {
			printed += runErr.Error()
			t.Errorf("token %q: serve failed: %v", pasted, runErr)
		}
		if strings.Contains(printed, "Secret_Part_Of-The-Token42") {
			t.Errorf("token %q: the token is printed:\n%s", pasted, printed)
		}
	}
}
