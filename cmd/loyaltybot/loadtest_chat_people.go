package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
)

// The labels the simulated people tap are the English messages of
// locales/en.toml: every simulated person writes with language code en.
const (
	labelAgree     = "✅ I agree"
	labelMarketing = "Yes, please"
	labelConfirm   = "✅ Confirm"
	labelAccrue    = "➕ Accrue"
	labelCancel    = "✖ Cancel"
	labelSkip      = "Skip"
)

// chatTimeout is how long a simulated person waits for the bot's answer
// before counting an error and starting over.
const chatTimeout = 15 * time.Second

var doneRe = regexp.MustCompile(`^✅ Done: (\S+)`)

// chatStats is what the simulated people did, shared by all of them.
type chatStats struct {
	updates, joins, cards, checkouts, ratings, toggles, errors atomic.Int64
	// customers is how many join: the cashiers start once all have, so
	// that the checkouts are timed at the load the run is about, not in
	// the first seconds' rush of every customer joining at once (which
	// the join steps' own times show).
	customers int64

	mu        sync.Mutex
	firstErr  string
	checkout  latencies             // Confirm update in → cashier's edit back, per checkout
	reply     latencies             // any update in → its first answer back
	byAction  map[string]*latencies // the same, per kind of action
	purchases []string              // public ids the cashiers saw confirmed
	members   []int64               // card ids of the customers who joined
	joined    []int64               // their Telegram ids
	// lostConfirms counts Confirm taps whose answer never came: the
	// purchase may be recorded without a cashier having seen it.
	lostConfirms atomic.Int64
}

// errRunOver stops a person between two actions when the run is over.
var errRunOver = errors.New("the run is over")

func (st *chatStats) fail(who string, err error) {
	if errors.Is(err, errRunOver) {
		return
	}
	st.errors.Add(1)
	st.mu.Lock()
	if st.firstErr == "" {
		st.firstErr = who + ": " + err.Error()
	}
	st.mu.Unlock()
}

// person is one simulated chat: it acts, then waits for the answer it
// expects, as a person looking at the phone does.
type person struct {
	u    *tgfake.User
	st   *chatStats
	rng  *rand.Rand
	mark int
}

// act does one thing (sends one update; what names its kind in the
// report) and waits until the chat shows what want looks for among the
// bot's messages sent or edited since. It returns that message and how
// long the answer took.
func (p *person) act(ctx context.Context, what string, do func() error, want func(tgfake.Message) bool) (tgfake.Message, time.Duration, error) {
	if ctx.Err() != nil {
		return tgfake.Message{}, 0, errRunOver
	}
	p.mark = p.u.Mark()
	start := time.Now()
	if err := do(); err != nil {
		return tgfake.Message{}, 0, err
	}
	p.st.updates.Add(1)
	// The answer to an update sent is awaited even when the run ends
	// meanwhile: the checks at the end compare what the people saw.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), chatTimeout)
	defer cancel()
	var got tgfake.Message
	err := p.u.Await(wctx, func() bool {
		for _, m := range p.u.Since(p.mark) {
			if want(m) {
				got = m
				return true
			}
		}
		return false
	})
	took := time.Since(start)
	if err != nil {
		return got, took, err
	}
	p.st.mu.Lock()
	p.st.reply.add(took)
	l := p.st.byAction[what]
	if l == nil {
		l = new(latencies)
		if p.st.byAction == nil {
			p.st.byAction = map[string]*latencies{}
		}
		p.st.byAction[what] = l
	}
	l.add(took)
	p.st.mu.Unlock()
	return got, took, nil
}

func (p *person) send(text string) func() error {
	return func() error { p.u.SendText(text); return nil }
}

func (p *person) tap(label string) func() error {
	return func() error { _, err := p.u.Tap(label); return err }
}

func hasButton(label string) func(tgfake.Message) bool {
	return func(m tgfake.Message) bool { return buttonLike(m, label) != "" }
}

// buttonLike returns the first inline button of m starting with prefix.
func buttonLike(m tgfake.Message, prefix string) string {
	for _, b := range m.Buttons() {
		if strings.HasPrefix(b, prefix) {
			return b
		}
	}
	return ""
}

func hasPhoto(m tgfake.Message) bool { return m.Photo != nil }

func textHas(s string) func(tgfake.Message) bool {
	return func(m tgfake.Message) bool { return strings.Contains(m.Text+m.Caption, s) }
}

// customer joins at the register through the store's poster link and
// then, until ctx ends, opens the card, toggles topics and rates visits
// when asked. lookup finds the card of the customer who just joined.
func customer(ctx context.Context, p *person, store string, think time.Duration,
	lookup func(ctx context.Context, telegramID int64) (int64, error)) {
	for !joinChat(ctx, p, store, lookup) {
		if !pause(ctx, time.Second) { // an error: start over after a breath
			return
		}
	}
	rated := p.u.Mark()
	for pause(ctx, p.jitter(think)) {
		if m, ok := feedbackAsked(p.u, rated); ok {
			rated = p.u.Mark()
			rate(ctx, p, m)
			continue
		}
		if p.rng.IntN(3) < 2 {
			if _, _, err := p.act(ctx, "/card", p.send("/card"), hasPhoto); err != nil {
				p.st.fail("/card", err)
				continue
			}
			p.st.cards.Add(1)
			continue
		}
		toggleTopic(ctx, p)
	}
}

// joinChat walks the register link's onboarding: consent, the phone
// through the contact button, the name offered, marketing, the card.
func joinChat(ctx context.Context, p *person, store string, lookup func(context.Context, int64) (int64, error)) bool {
	steps := []struct {
		what string
		do   func() error
		want func(tgfake.Message) bool
	}{
		{"join: poster link", p.send("/start s_" + store), hasButton(labelAgree)},
		{"join: consent", p.tap(labelAgree), func(tgfake.Message) bool { return len(p.u.ReplyKeyboard()) > 0 }},
		{"join: phone", p.shareContact, func(tgfake.Message) bool { return keyLabel(p.u) == p.u.FirstName }},
		{"join: name", p.tap(p.u.FirstName), hasButton(labelMarketing)},
		{"join: marketing, card", p.tap(labelMarketing), hasPhoto},
	}
	for _, s := range steps {
		if _, _, err := p.act(ctx, s.what, s.do, s.want); err != nil {
			p.st.fail(s.what, err)
			return false
		}
	}
	id, err := lookup(context.WithoutCancel(ctx), p.u.ID)
	if err != nil {
		p.st.fail("join: card", err)
		return false
	}
	p.st.joins.Add(1)
	p.st.mu.Lock()
	p.st.members = append(p.st.members, id)
	p.st.joined = append(p.st.joined, p.u.ID)
	p.st.mu.Unlock()
	return true
}

func (p *person) shareContact() error {
	for _, row := range p.u.ReplyKeyboard() {
		for _, b := range row {
			if b.RequestContact {
				return p.tap(b.Text)()
			}
		}
	}
	return fmt.Errorf("no contact button in chat %d", p.u.ID)
}

// keyLabel is the first reply-keyboard button, the name offered.
func keyLabel(u *tgfake.User) string {
	kb := u.ReplyKeyboard()
	if len(kb) == 0 || len(kb[0]) == 0 || kb[0][0].RequestContact {
		return ""
	}
	return kb[0][0].Text
}

// feedbackAsked finds a "How was your visit?" request that came after mark.
func feedbackAsked(u *tgfake.User, mark int) (tgfake.Message, bool) {
	for _, m := range u.Since(mark) {
		if buttonLike(m, "5⭐") != "" {
			return m, true
		}
	}
	return tgfake.Message{}, false
}

// rate taps 4 or 5 stars on the request, then skips the comment.
func rate(ctx context.Context, p *person, req tgfake.Message) {
	stars := fmt.Sprintf("%d⭐", 4+p.rng.IntN(2))
	tap := func() error { _, err := p.u.TapMessage(req.ID, stars); return err }
	if _, _, err := p.act(ctx, "rate", tap, hasButton(labelSkip)); err != nil {
		p.st.fail("rate", err)
		return
	}
	if _, _, err := p.act(ctx, "rate: skip", p.tap(labelSkip), func(m tgfake.Message) bool { return m.ID != req.ID || buttonLike(m, labelSkip) == "" }); err != nil {
		p.st.fail("rate: skip", err)
		return
	}
	p.st.ratings.Add(1)
}

// toggleTopic opens /topics and flips one topic, waiting for the edit.
func toggleTopic(ctx context.Context, p *person) {
	m, _, err := p.act(ctx, "/topics", p.send("/topics"), func(m tgfake.Message) bool {
		return buttonLike(m, "✅ ") != "" || buttonLike(m, "⬜ ") != ""
	})
	if err != nil {
		p.st.fail("/topics", err)
		return
	}
	var topics []string
	for _, b := range m.Buttons() {
		if strings.HasPrefix(b, "✅ ") || strings.HasPrefix(b, "⬜ ") {
			topics = append(topics, b)
		}
	}
	pick := topics[p.rng.IntN(len(topics))]
	tap := func() error { _, err := p.u.TapMessage(m.ID, pick); return err }
	if _, _, err := p.act(ctx, "topic toggle", tap, func(e tgfake.Message) bool { return e.ID == m.ID && buttonLike(e, pick) == "" }); err != nil {
		p.st.fail("topic toggle", err)
		return
	}
	p.st.toggles.Add(1)
}

// cashier joins the staff through a one-time invite and, once every
// customer has joined, checks them out one after another: opens the card link the
// camera reads from the customer's QR, types the receipt amount, chooses
// to accrue and confirms. token makes the c_ link of a card.
func cashier(ctx context.Context, p *person, invite string, think time.Duration, token func(cardID int64) string) {
	if _, _, err := p.act(ctx, "cashier invite", p.send("/start i_"+invite), textHas("team")); err != nil {
		p.st.fail("cashier invite", err)
		return
	}
	for pause(ctx, p.jitter(think)) {
		card, ok := p.st.randomMember(p.rng)
		if !ok || p.st.joins.Load() < p.st.customers {
			pause(ctx, 20*time.Millisecond)
			continue
		}
		chatCheckout(ctx, p, token(card))
	}
}

func chatCheckout(ctx context.Context, p *person, link string) {
	if _, _, err := p.act(ctx, "checkout: card", p.send("/start c_"+link), hasButton(labelCancel)); err != nil {
		p.st.fail("checkout: card", err)
		return
	}
	amount := fmt.Sprint(100 + p.rng.IntN(4900))
	m, _, err := p.act(ctx, "checkout: amount", p.send(amount), hasButton(labelAccrue))
	if err != nil {
		p.st.fail("checkout: amount", err)
		return
	}
	if _, _, err := p.act(ctx, "checkout: accrue", p.tap(buttonLike(m, labelAccrue)), hasButton(labelConfirm)); err != nil {
		p.st.fail("checkout: accrue", err)
		return
	}
	done, took, err := p.act(ctx, "checkout: confirm", p.tap(labelConfirm), func(m tgfake.Message) bool { return doneRe.MatchString(m.Text) })
	if err != nil {
		p.st.lostConfirms.Add(1)
		p.st.fail("checkout: confirm", err)
		return
	}
	p.st.checkouts.Add(1)
	p.st.mu.Lock()
	p.st.checkout.add(took)
	// A copy of the id alone: the submatch is a slice of the whole
	// message text, and holding 28,000 of those grew the live heap by
	// 4 MB in 10 minutes, on the fake's account in a heap profile.
	p.st.purchases = append(p.st.purchases, strings.Clone(doneRe.FindStringSubmatch(done.Text)[1]))
	p.st.mu.Unlock()
}

func (st *chatStats) randomMember(rng *rand.Rand) (int64, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.members) == 0 {
		return 0, false
	}
	return st.members[rng.IntN(len(st.members))], true
}

// jitter spreads a pause evenly between half and one and a half times
// think: people do not act in step, and the same pause for everyone
// would keep the cashiers, invited together, arriving as one burst.
func (p *person) jitter(think time.Duration) time.Duration {
	return think/2 + time.Duration(p.rng.Int64N(int64(think)+1))
}

// pause waits d (none when d is 0) and says whether to go on.
func pause(ctx context.Context, d time.Duration) bool {
	if d > 0 {
		return sleepUntil(ctx, d) == nil
	}
	return ctx.Err() == nil
}

func sleepUntil(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// cardOf finds the card of a customer by Telegram id.
func cardOf(a *app) func(context.Context, int64) (int64, error) {
	return func(ctx context.Context, telegramID int64) (int64, error) {
		var id int64
		err := a.db.Update(ctx, func(tx domain.Tx) error {
			c, err := tx.FindCustomerByTelegramID(ctx, telegramID)
			if err != nil {
				return err
			}
			card, err := tx.FindCardByCustomer(ctx, c.ID)
			if err != nil {
				return err
			}
			id = card.ID
			return nil
		})
		return id, err
	}
}

// newRand is a person's own random source: a run's choices repeat.
func newRand(seed int) *rand.Rand { return rand.New(rand.NewPCG(uint64(seed), 1)) }
