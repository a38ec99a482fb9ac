package posapi

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/internal/jsonstr"
)

// Bounds of a load run: it is a measuring tool for one's own machine, not
// a way to flood a server.
const (
	maxLoadConcurrency = 256
	maxLoadDuration    = 10 * time.Minute
	maxLoadRequests    = 10_000_000
	defaultLoadTime    = 10 * time.Second
	loadTimeout        = 30 * time.Second // per request
)

// LoadOptions describe a load run against a running API.
type LoadOptions struct {
	BaseURL string   // e.g. http://127.0.0.1:8080; loopback only
	Key     string   // the store's API key
	Cards   []string // card codes or tokens, used round-robin
	// CardOffset is where in Cards the round-robin starts: a run made of
	// several Loads passes it the requests made so far, so that each card
	// comes round once before any comes again (a card buying again and
	// again the same day gets its purchases flagged).
	CardOffset  int
	Concurrency int // parallel clients; 0: 8
	Duration    time.Duration
	Requests    int    // stop after this many if > 0
	Currency    string // the business currency; "": RUB
	// RedeemEvery > 0 makes every RedeemEvery-th purchase pay
	// RedeemPoints points (default 20) from the card.
	RedeemEvery  int
	RedeemPoints int64
	// Rate > 0 paces the purchases: the n-th is due Rate-th of a second
	// after the (n-1)-th, counted from the start, so together the clients
	// post at most Rate a second, the way a shop's registers do, instead
	// of each posting the moment it is answered. Latencies count from the
	// send; a client answered late does not catch up beyond Concurrency.
	Rate float64
}

// LoadReport sums up a run. Latencies cover every request, failed ones
// included.
type LoadReport struct {
	Requests   int
	Errors     int
	Elapsed    time.Duration
	Throughput float64 // requests per second
	P50        time.Duration
	P90        time.Duration
	P99        time.Duration
	Max        time.Duration
	// FirstError describes the first failure, to tell "server down" from
	// "card expired" at a glance.
	FirstError string
}

// String formats the report on one line.
func (r LoadReport) String() string {
	s := fmt.Sprintf("%d requests, %d errors in %v: %.0f req/s, p50 %v, p90 %v, p99 %v, max %v",
		r.Requests, r.Errors, r.Elapsed.Round(time.Millisecond), r.Throughput,
		r.P50.Round(time.Microsecond), r.P90.Round(time.Microsecond), r.P99.Round(time.Microsecond),
		r.Max.Round(time.Microsecond))
	if r.FirstError != "" {
		s += " (first error: " + r.FirstError + ")"
	}
	return s
}

// Load posts purchases to POST /api/v1/purchases from Concurrency clients
// over keep-alive connections until Duration passes (default 10 s, at most
// 10 min) or Requests were sent, whichever comes first. Each purchase has a
// unique receipt id and an amount from 100.00 to 5000.00; with RedeemEvery
// some also pay with points.
// Only loopback addresses are accepted.
func Load(ctx context.Context, o LoadOptions) (LoadReport, error) {
	if err := o.check(); err != nil {
		return LoadReport{}, err
	}
	if o.Concurrency == 0 {
		o.Concurrency = 8
	}
	if o.Currency == "" {
		o.Currency = "RUB"
	}
	if o.Duration == 0 {
		o.Duration = defaultLoadTime
	}
	if o.RedeemEvery > 0 && o.RedeemPoints == 0 {
		o.RedeemPoints = 20
	}
	u, _ := url.Parse(o.BaseURL) // check parsed it
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	path := strings.TrimRight(u.Path, "/") + "/api/v1/purchases"
	conns := make(chan *loadConn, o.Concurrency) // one per client at a time
	defer func() {
		for len(conns) > 0 {
			(<-conns).close()
		}
	}()
	run := randomRunID()
	return drive(ctx, o.Concurrency, o.Duration, o.Requests, o.Rate, func(ctx context.Context, n int64) error {
		// The body as a POS writes it, without json.Marshal's reflection
		// over a map (the load shares the cores with the bot it measures).
		body := make([]byte, 0, 192)
		body = append(body, `{"card":`...)
		body = jsonstr.Append(body, o.Cards[(o.CardOffset+int(n))%len(o.Cards)])
		body = append(body, `,"amount":`...)
		body = strconv.AppendInt(body, 10_000+rand.Int64N(490_001), 10)
		body = append(body, `,"currency":`...)
		body = jsonstr.Append(body, o.Currency)
		body = append(body, `,"receipt_id":"load-`...)
		body = append(body, run...)
		body = append(body, '-')
		body = strconv.AppendInt(body, n, 10)
		body = append(body, '"')
		if o.RedeemEvery > 0 && n%int64(o.RedeemEvery) == 0 {
			body = append(body, `,"redeem_points":`...)
			body = strconv.AppendInt(body, o.RedeemPoints, 10)
		}
		body = append(body, '}')
		var c *loadConn
		select {
		case c = <-conns:
		default:
			c = newLoadConn(addr, u.Host, path, o.Key)
		}
		defer func() { conns <- c }()
		return post(ctx, c, body)
	})
}

// Drive calls fn from concurrency goroutines, with n = 1, 2, 3, … across
// them, until duration passes or requests calls were made, and reports
// the calls' latencies. The deadline stops new calls; calls in flight
// finish, so every call made is counted with its outcome. Load uses it
// over HTTP; loadtest -db uses it on the database alone.
func Drive(ctx context.Context, concurrency int, duration time.Duration, requests int,
	fn func(ctx context.Context, n int64) error) (LoadReport, error) {
	return drive(ctx, concurrency, duration, requests, 0, fn)
}

// drive is Drive, paced to rate calls a second when rate > 0 (see
// LoadOptions.Rate).
func drive(ctx context.Context, concurrency int, duration time.Duration, requests int, rate float64,
	fn func(ctx context.Context, n int64) error) (LoadReport, error) {
	switch {
	case rate < 0 || math.IsNaN(rate) || math.IsInf(rate, 0):
		return LoadReport{}, fmt.Errorf("load: rate %v, want 0 (unpaced) or a positive number a second", rate)
	case concurrency < 1 || concurrency > maxLoadConcurrency:
		return LoadReport{}, fmt.Errorf("load: concurrency %d, want 1 to %d", concurrency, maxLoadConcurrency)
	case duration <= 0 || duration > maxLoadDuration:
		return LoadReport{}, fmt.Errorf("load: duration %v, want up to %v", duration, maxLoadDuration)
	case requests < 0 || requests > maxLoadRequests:
		return LoadReport{}, fmt.Errorf("load: requests %d, want up to %d", requests, maxLoadRequests)
	}
	deadline := time.Now().Add(duration)
	var (
		next      atomic.Int64
		mu        sync.Mutex
		latencies = make([]time.Duration, 0, 1024)
		errs      int
		firstErr  string
		wg        sync.WaitGroup
	)
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			var localErrs int
			var localFirst string
			for ctx.Err() == nil && time.Now().Before(deadline) {
				n := next.Add(1)
				if requests > 0 && n > int64(requests) {
					break
				}
				if rate > 0 {
					due := start.Add(time.Duration(float64(n-1) / rate * float64(time.Second)))
					if !due.Before(deadline) || !sleepUntil(ctx, due) {
						break
					}
				}
				t0 := time.Now()
				err := fn(ctx, n)
				local = append(local, time.Since(t0))
				if err != nil {
					localErrs++
					if localFirst == "" {
						localFirst = err.Error()
					}
				}
			}
			mu.Lock()
			latencies = append(latencies, local...)
			errs += localErrs
			if firstErr == "" {
				firstErr = localFirst
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return report(latencies, errs, firstErr, time.Since(start)), nil
}

// sleepUntil waits for t and says whether it came before ctx ended.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// check refuses options that would make a remote or senseless run.
func (o LoadOptions) check() error {
	u, err := url.Parse(o.BaseURL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("load: base URL %q: want http://127.0.0.1:PORT (plain HTTP: the load runs on this machine)", o.BaseURL)
	}
	if host := u.Hostname(); host != "localhost" {
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("load: base URL %q is not a loopback address; load runs only against this machine", o.BaseURL)
		}
	}
	switch {
	case o.Key == "":
		return errors.New("load: no API key")
	case len(o.Cards) == 0:
		return errors.New("load: no cards")
	case o.RedeemEvery < 0 || o.RedeemPoints < 0 || o.CardOffset < 0:
		return errors.New("load: RedeemEvery, RedeemPoints and CardOffset must not be negative")
	}
	return nil // Drive checks the bounds of the run
}

// post sends one purchase; anything but 200/201 is an error.
func post(ctx context.Context, c *loadConn, body []byte) error {
	status, answer, err := c.post(ctx, body)
	if err != nil {
		return err
	}
	if status != http.StatusCreated && status != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", status, bytes.TrimSpace(answer))
	}
	return nil
}

func report(lat []time.Duration, errs int, firstErr string, elapsed time.Duration) LoadReport {
	r := LoadReport{Requests: len(lat), Errors: errs, Elapsed: elapsed, FirstError: firstErr}
	if len(lat) == 0 {
		return r
	}
	slices.Sort(lat)
	pct := func(p int) time.Duration { return lat[(len(lat)-1)*p/100] }
	r.P50, r.P90, r.P99, r.Max = pct(50), pct(90), pct(99), lat[len(lat)-1]
	if elapsed > 0 {
		r.Throughput = float64(len(lat)) / elapsed.Seconds()
	}
	return r
}

// randomRunID keeps receipt ids of separate runs apart.
func randomRunID() string {
	b := make([]byte, 6)
	crand.Read(b)
	return hex.EncodeToString(b)
}
