package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
)

// Helpers of the fault tests (fault_*_test.go): people in the fake
// Telegram, POS requests, and the checks that the books balance.

const (
	faultToken  = "42:fault"
	faultBot    = "fault_bot"
	faultSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// faultEnv is the environment of a serve run against fake and dbURL.
func faultEnv(fake *tgfake.Server, dbURL string) map[string]string {
	return map[string]string{
		"TELEGRAM_BOT_TOKEN": faultToken,
		"TELEGRAM_API_URL":   fake.URL(),
		"DATABASE_URL":       dbURL,
		"CARD_SECRET":        faultSecret,
		"HTTP_ADDR":          "127.0.0.1:0",
	}
}

func startFake(t *testing.T) *tgfake.Server {
	t.Helper()
	fake, err := tgfake.Start("127.0.0.1:0", tgfake.WithBotUsername(faultBot), tgfake.WithToken(faultToken))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	return fake
}

// lastLine runs an admin command and returns the last line it printed
// (the invite link, the API key).
func lastLine(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := run(t.Context(), args, envFunc(env), &out, io.Discard); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[len(lines)-1]
}

// step does one thing as a person and waits for the bot's answer that
// contains want in its text or a button (a new message, or one edited
// since). A lost update shows as an answer that never comes.
func step(ctx context.Context, fake *tgfake.Server, u *tgfake.User, what string, do func() error, want string) error {
	mark := u.Mark()
	if err := do(); err != nil {
		return fmt.Errorf("chat %d, %s: %w", u.ID, what, err)
	}
	err := fake.WaitFor(ctx, func() bool {
		for _, m := range u.Since(mark) {
			if strings.Contains(m.Text+m.Caption+strings.Join(m.Buttons(), " "), want) {
				return true
			}
		}
		return false
	})
	if err != nil {
		var got []string
		for _, m := range u.Since(mark) {
			got = append(got, m.Text+m.Caption)
		}
		return fmt.Errorf("chat %d, %s: no answer with %q (got %q): %w", u.ID, what, want, got, err)
	}
	return nil
}

func send(u *tgfake.User, text string) func() error {
	return func() error { u.SendText(text); return nil }
}

func tap(u *tgfake.User, label string) func() error {
	return func() error { _, err := u.Tap(label); return err }
}

// tapPrefix taps the newest message's button whose label starts with
// prefix (labels that carry a number, like "➕ Accrue +4").
func tapPrefix(u *tgfake.User, prefix string) func() error {
	return func() error {
		for _, b := range u.Last().Buttons() {
			if strings.HasPrefix(b, prefix) {
				_, err := u.Tap(b)
				return err
			}
		}
		return fmt.Errorf("no button %q… in %q", prefix, u.Last().Buttons())
	}
}

// join takes a new customer through onboarding at the central store,
// sharing their contact, so the welcome bonus is on the card at once.
func join(ctx context.Context, fake *tgfake.Server, u *tgfake.User, marketing bool) error {
	consent := "Yes, please"
	if !marketing {
		consent = "No, thanks"
	}
	for _, s := range []struct {
		what string
		do   func() error
		want string
	}{
		{"start", send(u, "/start s_central"), "personal data"},
		{"consent", tap(u, "✅ I agree"), "phone number"},
		{"contact", func() error { u.ShareContact(fmt.Sprintf("+7999%07d", u.ID)); return nil }, "What should we call you"},
		{"name", tap(u, u.FirstName), "personal offers"},
		{"marketing", tap(u, consent), "You're in"},
	} {
		if err := step(ctx, fake, u, s.what, s.do, s.want); err != nil {
			return err
		}
	}
	return nil
}

// hireCashier opens a cashier invitation made with the invite command.
func hireCashier(t *testing.T, ctx context.Context, fake *tgfake.Server, env map[string]string, u *tgfake.User) {
	t.Helper()
	link := lastLine(t, env, "invite", "--role", "cashier", "--store", "central", "--bot", faultBot)
	_, payload, _ := strings.Cut(link, "?start=")
	if err := step(ctx, fake, u, "invite", send(u, "/start "+payload), "Welcome to the team"); err != nil {
		t.Fatal(err)
	}
}

// checkout is a cashier's whole checkout of a scanned card, accruing.
func checkout(ctx context.Context, fake *tgfake.Server, cashier *tgfake.User, token, amount string) error {
	for _, s := range []struct {
		what string
		do   func() error
		want string
	}{
		{"scan", send(cashier, "/start c_"+token), "Receipt amount?"},
		{"amount", send(cashier, amount), "Accrue"},
		{"accrue", tapPrefix(cashier, "➕ Accrue"), "Check before confirming"},
		{"confirm", tap(cashier, "✅ Confirm"), "✅ Done"},
	} {
		if err := step(ctx, fake, cashier, s.what, s.do, s.want); err != nil {
			return err
		}
	}
	return nil
}

// cardToken is the c_ token of the customer's card, as their QR holds it.
func cardToken(t *testing.T, pool *pgxpool.Pool, telegramID int64) string {
	t.Helper()
	var id int64
	if err := pool.QueryRow(t.Context(), `SELECT c.id FROM cards c JOIN customers cu ON cu.id = c.customer_id
		WHERE cu.telegram_id = $1`, telegramID).Scan(&id); err != nil {
		t.Fatalf("card of %d: %v", telegramID, err)
	}
	secret, _ := hex.DecodeString(faultSecret)
	signer, err := domain.NewCardSigner(secret, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return signer.Token(id, time.Now())
}

// posAnswer is what a POS request got: the status, Retry-After, and the
// purchase id or error code of the body.
type posAnswer struct {
	status     int
	retryAfter string
	purchaseID string
	code       string
}

// postPurchase sends one purchase to the POS API; err is a network error.
func postPurchase(ctx context.Context, addr, key, card, receipt string, amount int64) (posAnswer, error) {
	body := fmt.Sprintf(`{"card":%q,"amount":%d,"currency":"RUB","receipt_id":%q}`, "c_"+card, amount, receipt)
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/api/v1/purchases", strings.NewReader(body))
	if err != nil {
		return posAnswer{}, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return posAnswer{}, err
	}
	defer resp.Body.Close()
	var b struct {
		PurchaseID string `json:"purchase_id"`
		Error      struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &b); err != nil {
		return posAnswer{}, fmt.Errorf("POS answer %d %q: %w", resp.StatusCode, raw, err)
	}
	return posAnswer{resp.StatusCode, resp.Header.Get("Retry-After"), b.PurchaseID, b.Error.Code}, nil
}

// healthz returns the health endpoint's status (0 when it does not answer).
func healthz(addr string) int {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitHealth waits until /healthz answers want.
func waitHealth(t *testing.T, addr string, want int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a guard against hanging, not a measure
	for got := healthz(addr); got != want; got = healthz(addr) {
		if time.Now().After(deadline) {
			t.Fatalf("/healthz answers %d, want %d", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkBooks checks that every purchase is whole: its ledger rows carry
// exactly its points, every card's balance is the sum of its ledger, and
// no ledger row of a purchase lacks its purchase.
func checkBooks(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := t.Context()
	for _, c := range []struct{ what, sql string }{
		{"purchases whose earned points have no ledger row of that amount", `SELECT count(*) FROM purchases p
			WHERE p.points_earned > 0 AND NOT EXISTS (SELECT 1 FROM ledger l
				WHERE l.idempotency_key = 'purchase:' || p.public_id || ':earn' AND l.amount = p.points_earned)`},
		{"purchases whose redeemed points have no ledger row of that amount", `SELECT count(*) FROM purchases p
			WHERE p.points_redeemed > 0 AND NOT EXISTS (SELECT 1 FROM ledger l
				WHERE l.idempotency_key = 'purchase:' || p.public_id || ':redeem' AND l.amount = -p.points_redeemed)`},
		{"purchase ledger rows without their purchase", `SELECT count(*) FROM ledger l
			WHERE l.idempotency_key LIKE 'purchase:%' AND NOT EXISTS (SELECT 1 FROM purchases p
				WHERE l.idempotency_key IN ('purchase:' || p.public_id || ':earn', 'purchase:' || p.public_id || ':redeem'))`},
		{"cards whose balance is not the sum of their ledger", `SELECT count(*) FROM cards c
			WHERE c.balance <> (SELECT coalesce(sum(amount), 0) FROM ledger WHERE card_id = c.id)`},
	} {
		var n int
		if err := pool.QueryRow(ctx, c.sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d %s", n, c.what)
		}
	}
}

// purchaseNotices counts the customer's messages about a purchase
// ("Thank you for your purchase of …", "Purchase of …: …").
func purchaseNotices(u *tgfake.User) int {
	n := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, "urchase of ") && !strings.Contains(m.Text, "cancelled") {
			n++
		}
	}
	return n
}

// sqlInt runs a count.
func sqlInt(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
