package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/bot/posapi"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// sentStatement is one statement the bot sent, with its arguments.
type sentStatement struct {
	SQL  string
	Args []any
}

// roundTrip is what went to PostgreSQL together: one statement, or a
// pipelined batch (BEGIN with the checkout query, the writes with COMMIT).
type roundTrip struct {
	Batch      bool
	Statements []sentStatement
}

// recorder is a pgx tracer that keeps every statement a connection sends,
// grouped by round trip, so the pgbench script is made of what the bot
// really sends rather than of a copy that could drift from it.
type recorder struct {
	mu    sync.Mutex
	on    bool
	trips []roundTrip
}

func (r *recorder) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on, r.trips = true, nil
}

func (r *recorder) stop() []roundTrip {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.trips
}

func (r *recorder) add(batch bool, st *sentStatement) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.on {
		return
	}
	if st == nil {
		r.trips = append(r.trips, roundTrip{Batch: batch})
		return
	}
	if len(r.trips) == 0 {
		r.trips = append(r.trips, roundTrip{})
	}
	last := &r.trips[len(r.trips)-1]
	last.Statements = append(last.Statements, *st)
}

func (r *recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.add(false, nil)
	r.add(false, &sentStatement{SQL: d.SQL, Args: d.Args})
	return ctx
}
func (r *recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *recorder) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.add(true, nil)
	return ctx
}
func (r *recorder) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	r.add(true, &sentStatement{SQL: d.SQL, Args: d.Args})
}
func (r *recorder) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// capturedCheckout is one POS accrual as the bot sent it to PostgreSQL,
// with the values that identify it, to find them among the arguments.
type capturedCheckout struct {
	Trips    []roundTrip
	CardID   int64
	Customer int64
	Receipt  string
	Amount   int64
	Earned   int64
	PublicID string
}

// captureCheckout sends POS purchases through the bot's own API handler
// (key check, card code, RecordPurchase and its reactions) on a
// connection that records what it sends, and returns the last one: the
// earlier ones warm the key cache and the statement cache, so the one
// kept is a steady-state purchase. The purchases are real and stay.
func captureCheckout(ctx context.Context, a *app, url, key, code string, warm int) (*capturedCheckout, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	rec := &recorder{}
	cfg.ConnConfig.Tracer = rec
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	db := postgres.New(pool, postgres.WithClock(a.now))
	api := posapi.New(posapi.Config{Store: db, Service: a.engine.Service, Business: a.biz,
		Signer: a.engine.Service.Signer, Now: a.now})
	h := api.Handler()
	var out capturedCheckout
	for i := 0; i <= warm; i++ {
		receipt := fmt.Sprintf("capture-%d-%d", a.now().UnixNano(), i)
		body, _ := json.Marshal(map[string]any{"card": code, "amount": 123_456, "currency": a.biz.Currency,
			"receipt_id": receipt})
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/api/v1/purchases", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		if i == warm {
			rec.start()
		}
		h.ServeHTTP(w, req)
		trips := rec.stop()
		if w.Code != http.StatusCreated {
			return nil, fmt.Errorf("capture purchase: HTTP %d: %s", w.Code, strings.TrimSpace(w.Body.String()))
		}
		var ans struct {
			PurchaseID string `json:"purchase_id"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &ans); err != nil {
			return nil, err
		}
		out = capturedCheckout{Trips: trips, Receipt: receipt, Amount: 123_456, PublicID: ans.PurchaseID}
	}
	err = db.Update(ctx, func(tx domain.Tx) error {
		p, err := tx.FindPurchaseByPublicID(ctx, out.PublicID)
		if err != nil {
			return err
		}
		out.CardID, out.Customer, out.Earned = p.CardID, p.CustomerID, p.Earned
		return nil
	})
	return &out, err
}
