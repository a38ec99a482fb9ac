package posapi

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// MaxBody is the largest request body accepted; a receipt is far smaller,
// and the limit keeps a broken client from filling memory.
const MaxBody = 64 << 10

// maxKeyLen bounds the bearer token before it is hashed and looked up.
const maxKeyLen = 256

// Config wires the API to the rest of the program.
type Config struct {
	Store domain.Store
	// Service runs the purchase use cases; its reactions (registered by
	// the chat engine) queue the customer's message and the owners'
	// alerts. nil: a service without reactions.
	Service  *domain.Service
	Business *domain.Business
	Signer   *domain.CardSigner
	Now      func() time.Time // nil: time.Now
	Logger   *slog.Logger     // nil: slog.Default()
	// Queued, when set, is called after a transaction that queued chat
	// messages commits (the bot's Sender.Kick), so the customer hears at
	// once instead of at the sender's next tick.
	Queued func()
}

// API serves the POS endpoints. It holds no state of its own beyond its
// configuration: every request is one or two database transactions, so
// any number of replicas can serve it.
type API struct {
	keys     sync.Map // key hash → its store id (int64): a key never moves
	queued   func()
	store    domain.Store
	svc      *domain.Service
	biz      *domain.Business
	program  *domain.Program
	signer   *domain.CardSigner
	now      func() time.Time
	log      *slog.Logger
	currency string
}

// New returns the API for c.
func New(c Config) *API {
	a := &API{
		store: c.Store, svc: c.Service, biz: c.Business, program: &c.Business.Program,
		signer: c.Signer, now: c.Now, log: c.Logger, currency: strings.ToUpper(c.Business.Currency),
		queued: c.Queued,
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.svc == nil {
		a.svc = domain.NewService(c.Business, c.Signer, nil, a.now)
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	return a
}

// Handler routes the API's paths. Paths under /api/ that match no route
// answer a JSON not_found, known paths with another method a JSON
// method_not_allowed with an Allow header, so a POS developer always gets
// an answer in the API's own shape.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/purchases", a.postPurchase)
	mux.HandleFunc("/api/v1/purchases", methodNotAllowed("POST"))
	mux.HandleFunc("GET /api/v1/cards/{card}", a.getCard)
	mux.HandleFunc("/api/v1/cards/{card}", methodNotAllowed("GET, HEAD"))
	mux.HandleFunc("POST /api/v1/purchases/{purchase_id}/cancel", a.postCancel)
	mux.HandleFunc("/api/v1/purchases/{purchase_id}/cancel", methodNotAllowed("POST"))
	mux.HandleFunc("POST /api/v1/purchases/{purchase_id}/returns", a.postReturn)
	mux.HandleFunc("/api/v1/purchases/{purchase_id}/returns", methodNotAllowed("POST"))
	mux.HandleFunc("POST /api/v1/receipts/{receipt_id}/returns", a.postReceiptReturn)
	mux.HandleFunc("/api/v1/receipts/{receipt_id}/returns", methodNotAllowed("POST"))
	mux.HandleFunc("POST /api/v1/receipts/{receipt_id}/cancel", a.postReceiptCancel)
	mux.HandleFunc("/api/v1/receipts/{receipt_id}/cancel", methodNotAllowed("POST"))
	mux.HandleFunc("GET /api/v1/receipts/{receipt_id}", a.getReceipt)
	mux.HandleFunc("/api/v1/receipts/{receipt_id}", methodNotAllowed("GET, HEAD"))
	mux.HandleFunc("POST /api/v1/prizes", a.postPrize)
	mux.HandleFunc("/api/v1/prizes", methodNotAllowed("POST"))
	mux.HandleFunc("POST /api/v1/prizes/{prize_id}/cancel", a.postPrizeCancel)
	mux.HandleFunc("/api/v1/prizes/{prize_id}/cancel", methodNotAllowed("POST"))
	mux.HandleFunc("POST /api/v1/offers/{offer_id}/use", a.postOfferUse)
	mux.HandleFunc("/api/v1/offers/{offer_id}/use", methodNotAllowed("POST"))
	mux.HandleFunc("POST /api/v1/events", a.postEvent)
	mux.HandleFunc("/api/v1/events", methodNotAllowed("POST"))
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errNotFound)
	})
	return mux
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, &apiError{http.StatusMethodNotAllowed, "method_not_allowed",
			r.Method + " is not allowed on this path; use " + allow + "."})
	}
}

// bearer returns the API key of the request, or false when the header is
// missing or malformed (then no database is asked).
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, key, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	key = strings.TrimSpace(key)
	if key == "" || len(key) > maxKeyLen {
		return "", false
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] >= 0x7f {
			return "", false
		}
	}
	return key, true
}

// inStore runs fn in a transaction for the store of key. A key seen
// before is not looked up again (its store never changes); instead its
// check (VerifyAPIKey) goes out with fn's first statement, so a revoked
// key fails at once without a round trip of its own. An unknown or
// revoked key hears 401 and nothing else: when fn refuses the input,
// perhaps before any statement carried the check, the key is looked up
// before the refusal is told. A register is waiting with the customer in
// front of it: its transaction takes the next free connection, as a
// cashier's in the chat does (domain.First).
func (a *API) inStore(ctx context.Context, key string, fn func(tx domain.Tx, shopID int64) error) error {
	ctx = domain.First(ctx)
	hash := domain.HashSecret(key)
	err := a.store.Update(ctx, func(tx domain.Tx) error {
		v, known := a.keys.Load(string(hash))
		if !known {
			shopID, err := tx.FindAPIKeyShop(ctx, hash)
			if errors.Is(err, domain.ErrNotFound) {
				return errUnauthorized
			}
			if err != nil {
				return err
			}
			a.keys.Store(string(hash), shopID)
			return fn(tx, shopID)
		}
		if err := tx.VerifyAPIKey(ctx, hash); err != nil {
			return err
		}
		err := fn(tx, v.(int64))
		var ae *apiError
		if errors.As(err, &ae) {
			if _, kerr := tx.FindAPIKeyShop(ctx, hash); errors.Is(kerr, domain.ErrNotFound) || errors.Is(kerr, domain.ErrRevoked) {
				return errUnauthorized
			}
		}
		return err
	})
	if errors.Is(err, errUnauthorized) || errors.Is(err, domain.ErrRevoked) {
		a.keys.Delete(string(hash))
		return errUnauthorized
	}
	return err
}

// source is the key as the limits on failed card lookups know it: by
// its hash, named in alerts by its prefix (as stored by apikey create).
func source(key string, shopID int64) domain.LookupSource {
	return domain.LookupSource{Scope: domain.ScopePOSKey, ID: hex.EncodeToString(domain.HashSecret(key)),
		Name: domain.APIKeyPrefix(key), ShopID: shopID}
}

// lookupFailed keeps a failed card lookup's answer in *answer and returns
// nil, so that the transaction commits the failure's count (and the
// owners' alert when it was a burst); an internal error is returned to
// roll back.
func lookupFailed(err error, answer *error) error {
	ae := cardError(err)
	var api *apiError
	if !errors.As(ae, &api) {
		return err
	}
	*answer = ae
	return nil
}

// authOnly checks the key in a transaction of its own, for requests that
// fail before any work: the client hears 401 before it hears about its
// body, so an unauthenticated caller learns nothing.
func (a *API) authOnly(ctx context.Context, key string) error {
	return a.inStore(ctx, key, func(domain.Tx, int64) error { return nil })
}

// reject answers a request whose input failed checks made before the
// database: 401 if the key is bad, else the input error.
func (a *API) reject(w http.ResponseWriter, r *http.Request, key string, inputErr error) {
	if err := a.authOnly(r.Context(), key); err != nil {
		a.fail(w, r, err)
		return
	}
	a.fail(w, r, inputErr)
}

// fail writes err: an *apiError as is, the database away as a 503 with
// Retry-After, anything else as a logged 500.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		var le *limitedError
		if errors.As(err, &le) {
			w.Header().Set("Retry-After", strconv.Itoa(le.retryAfter))
		}
		if ae.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="loyaltybot"`)
		}
		writeError(w, ae)
		return
	}
	if errors.Is(err, domain.ErrUnavailable) && r.Context().Err() == nil {
		// The database is away for a moment: say when to retry; the
		// same receipt is recorded once however often it comes. The
		// route, not the path: a path holds a card's code or token.
		a.log.Warn("pos api: database unavailable", "route", r.Pattern, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(unavailableRetry))
		writeError(w, errUnavailable)
		return
	}
	// The route, not the path: a path holds a card's code or token.
	if r.Context().Err() != nil {
		// The client went away; nothing useful can reach it.
		a.log.Info("pos api: request cancelled", "route", r.Pattern, "err", err)
	} else {
		a.log.Error("pos api: internal error", "route", r.Pattern, "err", err)
	}
	writeError(w, errInternal)
}

// jsonAppender is an answer that writes its own JSON (see answerjson.go).
type jsonAppender interface{ appendJSON([]byte) []byte }

func writeJSON(w http.ResponseWriter, status int, v any) {
	var body []byte
	if a, ok := v.(jsonAppender); ok {
		body = a.appendJSON(make([]byte, 0, 512))
	} else {
		var err error
		if body, err = json.Marshal(v); err != nil {
			// Only our own answer types get here; they always encode.
			status, body = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"Internal error."}}`)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

func writeError(w http.ResponseWriter, e *apiError) {
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	writeJSON(w, e.status, map[string]body{"error": {Code: e.code, Message: e.message}})
}
