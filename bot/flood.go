package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/loyaltybot/loyaltybot/domain"
)

// Flood limit defaults: Telegram itself allows about one message a second
// per chat with bursts, and a person tapping through a questionnaire as
// fast as they can stays well inside 20 at once.
const (
	defaultFloodBurst = 20
	defaultFloodEvery = time.Second
)

// verdict is what the flood limit says about one update of a chat.
type verdict int

const (
	admit    verdict = iota // handle it
	slowDown                // the first one over the limit: skip it and ask the person to slow down
	drop                    // the rest of the burst: skip it without a word
)

// floodGate is a token bucket per chat: a burst of updates, then one per
// interval. Intake asks it before storing an update, at the cost of a
// map lookup, so a person sending a hundred messages at once is turned
// away before any database write, flow, conversation lock or reply is
// spent on them. The buckets live in memory: a restart
// forgets them, which is harmless, and with several replicas each one
// limits what it receives.
type floodGate struct {
	burst int
	every rate.Limit

	mu        sync.Mutex
	chats     map[int64]*chatBucket
	nextSweep int
	// unsaved holds the verdicts given to updates that could not be
	// stored (the database away): Telegram delivers them again, polling
	// from the same offset every second, and each delivery taking a token
	// again emptied a person's bucket in seconds of an outage, then
	// dropped their updates unstored. A delivery again gets its verdict
	// back (verdictOf) instead.
	unsaved map[int64]verdict
}

// maxUnsaved bounds the verdicts kept for updates not stored yet.
const maxUnsaved = 10_000

// verdictOf is the verdict for update id of chat at at: the one it got
// when it came before and could not be stored (taken: should this
// delivery fail too, unstored gives it back), else check's.
func (g *floodGate) verdictOf(id, chat int64, at time.Time) verdict {
	if g == nil {
		return admit
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if v, ok := g.unsaved[id]; ok {
		delete(g.unsaved, id)
		return v
	}
	return g.checkLocked(chat, at)
}

// unstored remembers the verdicts of updates that could not be stored.
func (g *floodGate) unstored(ids []int64, vs []verdict) {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.unsaved == nil || len(g.unsaved)+len(ids) > maxUnsaved {
		g.unsaved = map[int64]verdict{}
	}
	for i, id := range ids {
		g.unsaved[id] = vs[i]
	}
}

type chatBucket struct {
	lim    *rate.Limiter
	warned bool // the slow-down message went out for this burst
}

// newFloodGate builds a gate; burst < 0 turns it off.
func newFloodGate(burst int, every time.Duration) *floodGate {
	if burst < 0 {
		return nil
	}
	if burst == 0 {
		burst = defaultFloodBurst
	}
	if every <= 0 {
		every = defaultFloodEvery
	}
	return &floodGate{burst: burst, every: rate.Every(every), chats: map[int64]*chatBucket{}, nextSweep: 1024}
}

// check takes one token from the chat's bucket for an update that arrived
// at at. The slow-down message is said once per burst: it is said again
// only after the chat was quiet long enough for its bucket to refill.
func (g *floodGate) check(chat int64, at time.Time) verdict {
	if g == nil {
		return admit
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.checkLocked(chat, at)
}

// checkLocked is check; the caller holds mu.
func (g *floodGate) checkLocked(chat int64, at time.Time) verdict {
	b, ok := g.chats[chat]
	if !ok {
		g.sweep(at)
		b = &chatBucket{lim: rate.NewLimiter(g.every, g.burst)}
		g.chats[chat] = b
	}
	if b.warned && b.lim.TokensAt(at) >= float64(g.burst) {
		b.warned = false
	}
	switch {
	case b.lim.AllowN(at, 1):
		return admit
	case b.warned:
		return drop
	}
	b.warned = true
	return slowDown
}

// sweep forgets the chats whose bucket is full again, which hold nothing
// worth remembering, once the map has doubled since the last sweep, so
// the map stays the size of the chats active lately. Caller holds mu.
func (g *floodGate) sweep(at time.Time) {
	if len(g.chats) < g.nextSweep {
		return
	}
	for id, b := range g.chats {
		if b.lim.TokensAt(at) >= float64(g.burst) {
			delete(g.chats, id)
		}
	}
	g.nextSweep = max(1024, 2*len(g.chats))
}

// answerLater answers a tap dropped by the flood limit on its chat's
// worker, if the queue has room: intake never waits for a flooder, and a
// tap left unanswered only spins a while on their phone.
func (b *Bot) answerLater(chat int64, callbackID string) {
	b.closeMu.RLock()
	defer b.closeMu.RUnlock()
	if b.closing.Load() {
		return
	}
	b.inflight.Add(1)
	j := queued{u: domain.RawUpdate{ChatID: chat}, answer: callbackID}
	j.staff = b.lanes.take(chat)
	select {
	case b.queue(j) <- j:
	default:
		b.lanes.done(chat)
		b.inflight.Add(-1)
	}
}
