package posapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
	"github.com/loyaltybot/loyaltybot/bot/posapi"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// env is a running bot with the POS API in front of it and a key for each
// store.
type env struct {
	t         testing.TB
	h         *bottest.Harness
	srv       *httptest.Server
	client    *http.Client
	key       string // central
	riverKey  string
	centralID int64
}

func newEnv(t testing.TB, opt ...func(*domain.Business)) *env {
	t.Helper()
	h := bottest.New(t, opt...)
	api := posapi.New(posapi.Config{
		Store: h.DB, Service: h.Engine.Service, Business: h.Biz, Signer: h.Signer, Now: h.Clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, h: h, srv: srv, client: srv.Client()}
	e.key, e.centralID = e.newKey("central")
	e.riverKey, _ = e.newKey("river")
	return e
}

// newKey stores a fresh API key for a store, as `apikey create` does.
func (e *env) newKey(store string) (string, int64) {
	e.t.Helper()
	key, hash := domain.NewAPIKey()
	var shopID int64
	err := e.h.DB.Update(context.Background(), func(tx domain.Tx) error {
		shop, err := tx.FindShopByCode(context.Background(), store)
		if err != nil {
			return err
		}
		shopID = shop.ID
		return tx.CreateAPIKey(context.Background(), shop.ID, hash, key[:7])
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return key, shopID
}

// reply is an API answer.
type reply struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r reply) str(field string) string {
	s, _ := r.body[field].(string)
	return s
}

func (r reply) num(field string) int64 {
	f, _ := r.body[field].(float64)
	return int64(f)
}

func (r reply) code() string {
	m, _ := r.body["error"].(map[string]any)
	s, _ := m["code"].(string)
	return s
}

func (r reply) message() string {
	m, _ := r.body["error"].(map[string]any)
	s, _ := m["message"].(string)
	return s
}

// do sends a request; body is a string (sent as is) or a value to encode.
// auth is the whole Authorization header ("" for none).
func (e *env) do(method, path, auth string, body any) reply {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		e.t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		e.t.Errorf("%s %s: answer is not a JSON object: %v: %s", method, path, err, raw)
	}
	return r
}

func (e *env) bearer() string { return "Bearer " + e.key }

// purchase posts a purchase with the central key.
func (e *env) purchase(body map[string]any) reply {
	e.t.Helper()
	return e.do("POST", "/api/v1/purchases", e.bearer(), body)
}

func body(card string, amount int64, receipt string) map[string]any {
	return map[string]any{"card": card, "amount": amount, "currency": "RUB", "receipt_id": receipt}
}

// member is a customer who joined through the fake Telegram.
type member struct {
	chat *bottest.Chat
	cust *domain.Customer
	card *domain.Card
}

// join runs a whole onboarding for a new user (welcome bonus 100).
func (e *env) join(id int64, name string) member {
	e.t.Helper()
	c := e.h.Chat(id, name, "en")
	digits := strconv.FormatInt(id, 10)
	c.Send("/start").Tap("✅ I agree").ShareContact("+7999" + strings.Repeat("0", 7-len(digits)) + digits).
		Tap(name).Tap("No, thanks")
	return e.memberOf(c, id)
}

// memberOf loads the member chat c (Telegram user id) joined as.
func (e *env) memberOf(c *bottest.Chat, id int64) member {
	e.t.Helper()
	m := member{chat: c}
	err := e.h.DB.Update(context.Background(), func(tx domain.Tx) error {
		var err error
		if m.cust, err = tx.FindCustomerByTelegramID(context.Background(), id); err != nil {
			return err
		}
		m.card, err = tx.FindCardByCustomer(context.Background(), m.cust.ID)
		return err
	})
	if err != nil || !m.cust.Member() {
		e.t.Fatalf("join %d: %v\n%s", id, err, c.Transcript())
	}
	return m
}

func (e *env) code(m member) string { return e.h.Signer.Code(m.card.Number, e.h.Clock.Now()) }
func (e *env) token(m member) string {
	return "c_" + e.h.Signer.Token(m.card.ID, e.h.Clock.Now())
}

// state is what must not move when a request is refused.
type state struct {
	purchases, ledgerRows int
	balance, ledgerSum    int64
}

func (e *env) state(m member) state {
	e.t.Helper()
	var s state
	err := e.h.DB.Pool().QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM purchases),
		(SELECT count(*) FROM ledger),
		(SELECT balance FROM cards WHERE id = $1),
		(SELECT coalesce(sum(amount), 0)::bigint FROM ledger WHERE card_id = $1)`, m.card.ID).
		Scan(&s.purchases, &s.ledgerRows, &s.balance, &s.ledgerSum)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// waitText waits for a bot message in the member's chat containing want.
func (e *env) waitText(m member, want string) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, msg := range m.chat.U.Messages() {
			if strings.Contains(msg.Text, want) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	var texts []string
	for _, msg := range m.chat.U.Messages() {
		texts = append(texts, msg.Text)
	}
	e.t.Fatalf("no message with %q; chat has:\n%s", want, strings.Join(texts, "\n---\n"))
}
