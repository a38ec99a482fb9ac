package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/posapi"
	"github.com/loyaltybot/loyaltybot/domain"
)

// chatSample is the process at one moment of the run.
type chatSample struct {
	At         time.Duration
	Updates    int64 // updates the people had sent and seen answered so far
	Checkouts  int64
	RSS        uint64 // bytes, from /proc/self/status (0 where there is none)
	Heap       uint64 // bytes of live and not yet swept Go heap objects
	Live       uint64 // bytes the last garbage collection found live: what a leak grows
	Goroutines int
	CPU        cpuTime // the whole machine's, so far
	// This process's CPU (the bot with the fake Telegram, the people and
	// the POS clients) and PostgreSQL's (the postmaster, its live
	// children and those it has reaped), in clock ticks so far; 0 where
	// there is no /proc.
	Self, DB uint64
}

// procCPU reads a process's user and system time, and with children
// that of its children it has waited for, from /proc/PID/stat, in clock
// ticks; ppid is its parent's pid.
func procCPU(pid string, children bool) (ticks uint64, ppid string) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, ""
	}
	// The command name, in parentheses, may hold spaces: fields are
	// counted after its closing one (state is field 3, utime 14).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, ""
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 15 {
		return 0, ""
	}
	n := 2 // utime, stime
	if children {
		n = 4 // cutime, cstime
	}
	for _, v := range f[11 : 11+n] {
		t, _ := strconv.ParseUint(string(v), 10, 64)
		ticks += t
	}
	return ticks, string(f[1])
}

// clusterCPU is the CPU PostgreSQL has used so far: the postmaster whose
// pid its data folder's postmaster.pid names, with the children it has
// reaped, and its live children (the backends, which the bot's pool
// keeps for the run).
func clusterCPU(dataDir string) uint64 {
	b, err := os.ReadFile(dataDir + "/postmaster.pid")
	if err != nil {
		return 0
	}
	pm, _, _ := bytes.Cut(b, []byte("\n"))
	ticks, _ := procCPU(string(pm), true)
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	for _, p := range procs {
		if p.Name()[0] < '0' || p.Name()[0] > '9' {
			continue
		}
		if t, ppid := procCPU(p.Name(), false); ppid == string(pm) {
			ticks += t
		}
	}
	return ticks
}

// cpuTime is the machine's CPU time since boot, in clock ticks, from
// /proc/stat (Linux; zero elsewhere): busy (user, nice, system, irq,
// softirq) and stolen by the hypervisor, over all cores. The same code
// on the same VM ran anywhere from 1,000 to 1,300 updates/s from one
// minute to the next with nothing stolen; busy time per update says what
// an update costs when the machine is not saturated (-think), and is 2
// cores ÷ the rate when it is.
type cpuTime struct{ Busy, Steal, Total uint64 }

// clockTicks is USER_HZ, the unit of /proc/stat: 100 on every Linux
// architecture Go runs on.
const clockTicks = 100

func readCPU() cpuTime {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTime{}
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	f := bytes.Fields(line)
	if len(f) < 9 || string(f[0]) != "cpu" {
		return cpuTime{}
	}
	var v [8]uint64 // user nice system idle iowait irq softirq steal
	for i := range v {
		v[i], _ = strconv.ParseUint(string(f[1+i]), 10, 64)
	}
	busy := v[0] + v[1] + v[2] + v[5] + v[6]
	return cpuTime{Busy: busy, Steal: v[7], Total: busy + v[3] + v[4] + v[7]}
}

// split is this process's and PostgreSQL's CPU per update between two
// samples.
func split(a, b chatSample) (self, db time.Duration) {
	if b.Updates <= a.Updates || b.Self < a.Self || b.DB < a.DB {
		return 0, 0
	}
	n := time.Duration(b.Updates - a.Updates)
	tick := time.Second / clockTicks
	return time.Duration(b.Self-a.Self) * tick / n, time.Duration(b.DB-a.DB) * tick / n
}

// perUpdate is the machine's busy CPU per update between two samples, and
// the share of the time the hypervisor stole.
func perUpdate(a, b chatSample) (cpu time.Duration, steal float64) {
	if b.CPU.Total <= a.CPU.Total || b.Updates <= a.Updates {
		return 0, 0
	}
	busy := time.Duration(b.CPU.Busy-a.CPU.Busy) * time.Second / clockTicks
	return busy / time.Duration(b.Updates-a.Updates), float64(b.CPU.Steal-a.CPU.Steal) / float64(b.CPU.Total-a.CPU.Total)
}

// chatReport is what a chat load run measured and found.
type chatReport struct {
	Options chatOptions
	Intake  string
	Probe   machineProbe
	Elapsed time.Duration

	Updates, Joins, Cards, Checkouts, Ratings, Toggles int64
	Errors                                             int64
	FirstError                                         string
	Checkout, Reply                                    latencies
	Actions                                            []actionLatencies // slowest p99 first
	Samples                                            []chatSample
	POS                                                *posapi.LoadReport

	// Unsettled says why the bot was not idle a minute after the run.
	Unsettled string
	// Outbox rows still unsent and those given up on, with an error.
	Unsent, Dropped int64
	OutboxError     string

	// What the database holds, checked against what the people saw.
	Purchases, Unledgered, Members, Dead int64
	Consistent                           bool
	Inconsistency                        string
}

// sample records the process every `every` until ctx ends, printing each
// line as it comes, and once more at the end.
func sample(ctx context.Context, st *chatStats, every time.Duration, dataDir string, w io.Writer) []chatSample {
	start := time.Now()
	fmt.Fprintln(w, "    time  updates/s  checkouts/s  RSS MiB  heap MiB  live MiB  goroutines  CPU ms/update (PostgreSQL)  steal")
	var out []chatSample
	self, _ := procCPU("self", false)
	prev := chatSample{CPU: readCPU(), Self: self, DB: clusterCPU(dataDir)}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return out
		case <-t.C:
		}
		self, _ := procCPU("self", false)
		s := chatSample{At: time.Since(start), Updates: st.updates.Load(), Checkouts: st.checkouts.Load(),
			RSS: rss(), Heap: heapBytes(), Live: liveHeap(), Goroutines: runtime.NumGoroutine(), CPU: readCPU(),
			Self: self, DB: clusterCPU(dataDir)}
		secs := (s.At - prev.At).Seconds()
		cpu, steal := perUpdate(prev, s)
		_, db := split(prev, s)
		fmt.Fprintf(w, "  %6.0fs  %9.0f  %11.1f  %7.1f  %8.1f  %8.1f  %10d  %13.2f (%10.2f)  %4.0f %%\n", s.At.Seconds(),
			float64(s.Updates-prev.Updates)/secs, float64(s.Checkouts-prev.Checkouts)/secs,
			mib(s.RSS), mib(s.Heap), mib(s.Live), s.Goroutines, float64(cpu)/float64(time.Millisecond),
			float64(db)/float64(time.Millisecond), 100*steal)
		out = append(out, s)
		prev = s
	}
}

// rss reads the process's resident set from /proc (Linux), 0 elsewhere.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if f := bytes.Fields(sc.Bytes()); len(f) >= 2 && string(f[0]) == "VmRSS:" {
			kb, _ := strconv.ParseUint(string(f[1]), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func heapBytes() uint64 { return readMetric("/memory/classes/heap/objects:bytes") }

// liveHeap is the heap the last collection marked live. The heap and the
// RSS between collections swing with the garbage the pacer lets pile up
// (GOGC): a sample lands anywhere between the live heap and twice or
// three times it. The live heap moves only with what the process keeps.
func liveHeap() uint64 { return readMetric("/gc/heap/live:bytes") }

func readMetric(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// fill copies the people's counts and sorts the latencies.
func (r *chatReport) fill(st *chatStats) {
	r.Updates, r.Joins, r.Cards = st.updates.Load(), st.joins.Load(), st.cards.Load()
	r.Checkouts, r.Ratings, r.Toggles = st.checkouts.Load(), st.ratings.Load(), st.toggles.Load()
	r.Errors, r.FirstError = st.errors.Load(), st.firstErr
	r.Checkout, r.Reply = st.checkout, st.reply
	for what, l := range st.byAction {
		r.Actions = append(r.Actions, actionLatencies{what, *l})
	}
	slices.SortFunc(r.Actions, func(a, b actionLatencies) int {
		if c := cmp.Compare(pct(b.L, .99), pct(a.L, .99)); c != 0 {
			return c
		}
		return strings.Compare(a.What, b.What)
	})
	if r.POS != nil {
		r.Errors += int64(r.POS.Errors)
	}
}

// check compares the database with what the people saw: every checkout a
// cashier saw confirmed is one purchase through the chat, each with its
// points in the ledger, every customer who joined has a card, and no
// update was set aside.
func (r *chatReport) check(ctx context.Context, a *app, st *chatStats) error {
	pool := a.db.Pool()
	var ids []string
	rows, err := pool.Query(ctx, `SELECT public_id FROM purchases WHERE source = $1`, domain.SourceBot)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	r.Purchases = int64(len(ids))
	err = pool.QueryRow(ctx, `
		SELECT
		  (SELECT count(*) FROM purchases p WHERE p.source = $1 AND p.points_earned > 0 AND NOT EXISTS (
		      SELECT 1 FROM ledger l WHERE l.card_id = p.card_id AND l.kind = 'earn'
		         AND l.idempotency_key = 'purchase:' || p.public_id || ':earn' AND l.amount = p.points_earned)),
		  (SELECT count(DISTINCT cu.id) FROM customers cu JOIN cards c ON c.customer_id = cu.id
		    WHERE cu.telegram_id = ANY($2)),
		  (SELECT count(*) FROM dead_updates)`,
		domain.SourceBot, st.joined).Scan(&r.Unledgered, &r.Members, &r.Dead)
	if err != nil {
		return err
	}
	err = pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE sent_at IS NULL AND dropped_at IS NULL),
		count(*) FILTER (WHERE dropped_at IS NOT NULL), coalesce(max(last_error), '') FROM outbox`).
		Scan(&r.Unsent, &r.Dropped, &r.OutboxError)
	if err != nil {
		return err
	}
	seen := slices.Clone(st.purchases)
	slices.Sort(seen)
	slices.Sort(ids)
	// A Confirm whose answer never came may have recorded a purchase no
	// cashier saw; anything else must match one to one.
	unseen := 0
	for _, id := range ids {
		if _, ok := slices.BinarySearch(seen, id); !ok {
			unseen++
		}
	}
	switch {
	case len(ids)-unseen != len(seen) || int64(unseen) > st.lostConfirms.Load():
		r.Inconsistency = fmt.Sprintf("%d checkouts confirmed in the chats (%d Confirm taps unanswered), %d chat purchases in the database",
			len(seen), st.lostConfirms.Load(), len(ids))
	case r.Unledgered > 0:
		r.Inconsistency = fmt.Sprintf("%d purchases without their ledger row", r.Unledgered)
	case r.Members != r.Joins:
		r.Inconsistency = fmt.Sprintf("%d joins seen, %d of those customers have a card", r.Joins, r.Members)
	case r.Dead > 0:
		r.Inconsistency = fmt.Sprintf("%d updates set aside", r.Dead)
	}
	r.Consistent = r.Inconsistency == ""
	return nil
}

// actionLatencies are the answer times of one kind of action.
type actionLatencies struct {
	What string
	L    latencies
}

// latencies is a histogram of durations in fixed buckets 2 % wide, from
// 50 µs to about 2 minutes, so that the run's own memory does not grow
// with the number of updates: a slice of every sample grew by a few MB
// over ten minutes, and the heap's target and the RSS with it, which the
// flatness verdict then blamed on the bot. A quantile is its bucket's
// upper bound (at most 2 % high); the maximum is kept exactly.
type latencies struct {
	n      int64
	max    time.Duration
	counts [latBuckets]int64
}

const (
	latMin     = 50 * time.Microsecond
	latGrowth  = 1.02
	latBuckets = 750 // latMin × 1.02^750 ≈ 140 s
)

func (l *latencies) add(d time.Duration) {
	i := 0
	if d > latMin {
		i = min(latBuckets-1, int(math.Log(float64(d)/float64(latMin))/math.Log(latGrowth))+1)
	}
	l.counts[i]++
	l.n++
	l.max = max(l.max, d)
}

// pct is the q-quantile of l (q = 1: the maximum).
func pct(l latencies, q float64) time.Duration {
	if l.n == 0 {
		return 0
	}
	if q >= 1 {
		return l.max
	}
	rank := int64(math.Ceil(q * float64(l.n)))
	var seen int64
	for i, c := range l.counts {
		if seen += c; seen >= max(rank, 1) {
			return min(l.max, time.Duration(float64(latMin)*math.Pow(latGrowth, float64(i))))
		}
	}
	return l.max
}

func (r *chatReport) print(w io.Writer) {
	secs := r.Elapsed.Seconds()
	fmt.Fprintf(w, "updates: %d in %v = %.0f/s (target ≥ 2,000/s): %d joins (5 updates each), %d /card, %d checkouts (4 each), %d ratings (2 each), %d topic toggles (2 each), cashiers' invites\n",
		r.Updates, r.Elapsed.Round(time.Millisecond), float64(r.Updates)/secs, r.Joins, r.Cards, r.Checkouts, r.Ratings, r.Toggles)
	fmt.Fprintf(w, "checkout, Confirm in → cashier's edit back (%d): p50 %v, p95 %v, p99 %v (target ≤ 25 ms), max %v; %.1f checkouts/s\n",
		r.Checkout.n, msText(pct(r.Checkout, .5)), msText(pct(r.Checkout, .95)), msText(pct(r.Checkout, .99)), msText(pct(r.Checkout, 1)), float64(r.Checkouts)/secs)
	fmt.Fprintf(w, "any update in → the answer awaited back: p50 %v, p95 %v, p99 %v\n",
		msText(pct(r.Reply, .5)), msText(pct(r.Reply, .95)), msText(pct(r.Reply, .99)))
	if len(r.Actions) > 0 {
		fmt.Fprintf(w, "  %-24s %8s %10s %10s %10s %10s\n", "by action", "n", "p50", "p95", "p99", "max")
		for _, a := range r.Actions {
			fmt.Fprintf(w, "  %-24s %8d %10s %10s %10s %10s\n", a.What, a.L.n,
				msText(pct(a.L, .5)), msText(pct(a.L, .95)), msText(pct(a.L, .99)), msText(pct(a.L, 1)))
		}
	}
	if r.POS != nil {
		fmt.Fprintf(w, "POS API in parallel: %v\n", *r.POS)
	}
	fmt.Fprintf(w, "errors: %d", r.Errors)
	if r.FirstError != "" {
		fmt.Fprintf(w, " (first: %s)", r.FirstError)
	}
	fmt.Fprintln(w)
	if r.Unsettled != "" {
		fmt.Fprintf(w, "NOT SETTLED a minute after the run: %s\n", r.Unsettled)
	}
	fmt.Fprintf(w, "outbox: %d messages unsent, %d given up on", r.Unsent, r.Dropped)
	if r.OutboxError != "" {
		fmt.Fprintf(w, " (an error: %s)", r.OutboxError)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, r.memory())
	if n := len(r.Samples); n >= 2 {
		// From the first sample on: the seeding and the joins' start are
		// before it.
		first, last := r.Samples[0], r.Samples[n-1]
		cpu, steal := perUpdate(first, last)
		fmt.Fprintf(w, "CPU: %.2f ms of the machine's busy time per update from %v to %v (the bot, PostgreSQL, the fake Telegram, the people and the POS clients together); %.0f %% of the time stolen by the hypervisor\n",
			ms(cpu), first.At.Round(time.Second), last.At.Round(time.Second), 100*steal)
		if self, db := split(first, last); self > 0 && db > 0 {
			fmt.Fprintf(w, "  of which this process (the bot, the fake Telegram, the people, the POS clients) %.2f ms, PostgreSQL %.2f ms, the rest (the kernel's own work, other processes) %.2f ms; `-cpuprofile F`, then `go tool pprof -tags F` splits this process's share between the bot and the load (side=load)\n",
				ms(self), ms(db), ms(max(cpu-self-db, 0)))
		}
	}
	if r.Consistent {
		fmt.Fprintf(w, "consistent: %d checkouts confirmed = %d chat purchases, each with its ledger row; %d joins = %d cards; 0 updates set aside\n",
			r.Checkouts, r.Purchases, r.Joins, r.Members)
	} else {
		fmt.Fprintf(w, "INCONSISTENT: %s\n", r.Inconsistency)
	}
}

// memory sums up RSS and goroutines, and whether memory stayed flat: the
// last third of the run's samples against the middle third (the first
// third warms up: pools, caches, prepared statements). The verdict is the
// live heap's, what a leak grows: more than 5 % (and a MiB) is GROWING.
// The RSS follows the heap's peaks between collections and what the
// runtime has not yet handed back, so its change is shown beside, and
// judged against the 150 MiB ceiling rather than the 5 %.
func (r *chatReport) memory() string {
	if len(r.Samples) == 0 {
		return "memory: no sample (the run was shorter than -sample)"
	}
	var peak uint64
	maxG := 0
	for _, s := range r.Samples {
		peak, maxG = max(peak, s.RSS), max(maxG, s.Goroutines)
	}
	out := fmt.Sprintf("memory: RSS peak %.1f MiB (target ≤ 150 MiB; the fake Telegram and the simulated people included), goroutines at most %d",
		mib(peak), maxG)
	n := len(r.Samples) / 3
	if n < 2 {
		return out + "; too few samples to tell whether it is flat (run longer, or lower -sample)"
	}
	type avgs struct{ rss, heap, live float64 }
	avg := func(ss []chatSample) (a avgs) {
		for _, s := range ss {
			a.rss, a.heap, a.live = a.rss+mib(s.RSS), a.heap+mib(s.Heap), a.live+mib(s.Live)
		}
		k := float64(len(ss))
		return avgs{a.rss / k, a.heap / k, a.live / k}
	}
	mid, last := avg(r.Samples[n:2*n]), avg(r.Samples[len(r.Samples)-n:])
	pct := func(from, to float64) float64 { return (to - from) / from * 100 }
	growth := pct(mid.live, last.live)
	verdict := "flat"
	if growth > 5 && last.live-mid.live > 1 {
		verdict = "GROWING"
	}
	return out + fmt.Sprintf("; live heap middle third %.1f MiB, last third %.1f MiB (%+.1f %%): %s; RSS %.1f → %.1f MiB (%+.1f %%), heap %.1f → %.1f MiB",
		mid.live, last.live, growth, verdict, mid.rss, last.rss, pct(mid.rss, last.rss), mid.heap, last.heap)
}

func msText(d time.Duration) string { return fmt.Sprintf("%.1f ms", ms(d)) }
