package bot

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
	"golang.org/x/time/rate"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/flows"
)

// Config wires a Bot.
type Config struct {
	Token   string
	APIURL  string // https://api.telegram.org, or a fake in tests
	Store   domain.Store
	Engine  *flows.Engine
	Logger  *slog.Logger
	Metrics *Metrics
	// Workers handle updates; a chat always goes to the same worker, so
	// its updates are handled in order. A worker sends its update's
	// replies itself (SendHeld), so it waits a Telegram round trip (about
	// 100 ms) per update: the default 64 keeps that from capping intake
	// at workers/RTT, while the database pool bounds the work in
	// PostgreSQL. Staff chats have as many workers again of their own,
	// so the till never queues behind the members (lanes.go).
	Workers int
	// PollTimeout is the long-polling timeout (default 25 s).
	PollTimeout time.Duration
	// SendEvery is how often the background sender looks for due rows.
	SendEvery time.Duration
	// SendRate caps messages per second for the whole bot (default 30,
	// Telegram's limit; a paid broadcast plan allows more).
	SendRate float64
	// FloodBurst and FloodEvery limit how fast one chat's updates are
	// handled: a burst of FloodBurst, then one per FloodEvery (defaults 20
	// and 1 s). Past that, the person is asked once to slow down, and the
	// rest of their burst is dropped at intake: not stored, no
	// transaction, no flow. A negative FloodBurst turns the limit off.
	FloodBurst int
	FloodEvery time.Duration
	// Now is the clock the flood limit reads (time.Now when nil).
	Now func() time.Time
	// ReplayWindow is how old, by the store's clock, an update a previous
	// run stored but did not handle may be and still be handled at start
	// (default DefaultReplayWindow). Older ones are set aside unanswered:
	// a cashier's day-old Confirm must not record a purchase now.
	ReplayWindow time.Duration
	// DocumentLimit is the largest export file sent as a plain CSV, then
	// zipped (default DefaultDocumentLimit, Telegram's 50 MB; tests
	// lower it).
	DocumentLimit int64
}

// DefaultReplayWindow covers a crash and a restart, not a night off.
const DefaultReplayWindow = 10 * time.Minute

// Bot takes updates in and sends replies out.
type Bot struct {
	cfg    Config
	api    *Telegram
	sender *Sender
	log    *slog.Logger
	m      *Metrics

	queues   []chan queued // members' chats
	staffQs  []chan queued // staff chats (lanes.go)
	lanes    *lanes
	saver    *saver // stores what webhook deliveries bring at once together
	flood    *floodGate
	inflight atomic.Int64
	closing  atomic.Bool
	// started is set once Start made the workers' queues: an update
	// stored before (a webhook delivery while serve starts) waits for
	// Start's PendingUpdates.
	started    atomic.Bool
	shared     atomic.Bool  // updates come by webhook: another replica may hold a chat's earlier one
	closeMu    sync.RWMutex // dispatch holds it shared; Stop closes the queues under it
	workers    sync.WaitGroup
	senderDone chan struct{}
	stopSender context.CancelFunc
}

// New builds the adapter. It does not call Telegram.
func New(cfg Config) (*Bot, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 64
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 25 * time.Second
	}
	if cfg.SendEvery <= 0 {
		cfg.SendEvery = time.Second
	}
	if cfg.ReplayWindow <= 0 {
		cfg.ReplayWindow = DefaultReplayWindow
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Logger = slog.New(RedactToken(cfg.Logger.Handler(), cfg.Token))
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	api, err := NewTelegram(cfg.Token, cfg.APIURL, cfg.Workers, func(err error) { cfg.Logger.Error("telegram client", "err", err) })
	if err != nil {
		return nil, fmt.Errorf("telegram client: %w", err)
	}
	b := &Bot{cfg: cfg, api: api, log: cfg.Logger, m: cfg.Metrics, flood: newFloodGate(cfg.FloodBurst, cfg.FloodEvery),
		lanes: newLanes(), saver: &saver{store: cfg.Store}}
	b.sender = NewSender(api, cfg.Store.Outbox(), cfg.Logger, cfg.Metrics)
	if cfg.Engine != nil {
		b.sender.export = cfg.Engine.WriteExport
		b.sender.sign = cfg.Engine.SignButtons
	}
	if cfg.DocumentLimit > 0 {
		b.sender.docLimit = cfg.DocumentLimit
	}
	if cfg.SendRate > 0 {
		b.sender.limit = rate.NewLimiter(rate.Limit(cfg.SendRate), max(int(cfg.SendRate)/3, 1)) // see globalBurst
	}
	return b, nil
}

// Sender exposes the sender (the cron engine will use it).
func (b *Bot) Sender() *Sender { return b.sender }

// Username asks Telegram for the bot's username, needed for deep links.
func (b *Bot) Username(ctx context.Context) (string, error) {
	me, err := b.api.GetMe(ctx)
	if err != nil {
		return "", fmt.Errorf("getMe: %w", err)
	}
	return me.Username, nil
}

// Start launches the workers and the background sender and re-queues
// updates a previous run stored but did not finish, unless they are older
// than ReplayWindow: those are set aside. Intake (polling or webhook) is
// started separately.
func (b *Bot) Start(ctx context.Context) error {
	b.learnStaff(ctx)
	b.queues = make([]chan queued, b.cfg.Workers)
	b.staffQs = make([]chan queued, b.cfg.Workers)
	for _, qs := range [][]chan queued{b.queues, b.staffQs} {
		for i := range qs {
			q := make(chan queued, 64)
			qs[i] = q
			b.workers.Add(1)
			go func() {
				defer b.workers.Done()
				for j := range q {
					if j.answer != "" {
						b.answerCallback(context.WithoutCancel(ctx), flows.Input{Callback: &flows.Callback{ID: j.answer}}, "")
					} else {
						b.inOrder(context.WithoutCancel(ctx), j)
					}
					b.lanes.done(j.u.ChatID)
					b.inflight.Add(-1)
				}
			}()
		}
	}
	b.started.Store(true) // before the pending updates are read: none falls between
	senderCtx, stop := context.WithCancel(ctx)
	b.stopSender, b.senderDone = stop, make(chan struct{})
	go func() {
		defer close(b.senderDone)
		b.sender.Run(senderCtx, b.cfg.SendEvery)
	}()
	stale, err := b.cfg.Store.SetAsideStaleUpdates(ctx, b.cfg.ReplayWindow,
		fmt.Sprintf("left unhandled by an earlier run for more than %v: too old to act on", b.cfg.ReplayWindow))
	if err != nil {
		return fmt.Errorf("set aside stale updates: %w", err)
	}
	if stale > 0 {
		b.m.dead.Add(float64(stale))
		b.log.Warn("updates too old to replay set aside", "count", stale, "older_than", b.cfg.ReplayWindow)
	}
	pending, err := b.cfg.Store.PendingUpdates(ctx, 10_000)
	if err != nil {
		return fmt.Errorf("recover pending updates: %w", err)
	}
	if len(pending) > 0 {
		b.log.Info("re-handling updates left by the previous run", "count", len(pending))
	}
	for _, u := range pending {
		b.dispatch(queued{u: u})
	}
	return nil
}

// Stop lets the workers finish the updates in hand (and send their
// replies), then stops the background sender. Call it after intake stopped.
func (b *Bot) Stop(timeout time.Duration) error {
	b.closeMu.Lock()
	if b.closing.Swap(true) {
		b.closeMu.Unlock()
		return nil
	}
	for _, q := range b.queues {
		close(q)
	}
	for _, q := range b.staffQs {
		close(q)
	}
	b.closeMu.Unlock()
	done := make(chan struct{})
	go func() { b.workers.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-time.After(timeout):
		err = errors.New("bot: updates still in hand at shutdown; they are stored and will be handled on the next start")
	}
	if b.stopSender != nil { // nil when Start was never called
		b.stopSender()
		<-b.senderDone
	}
	return err
}

// queued is an update waiting for its chat's worker, with what the flood
// limit said of it at intake; or, with answer set, only a flooded tap to
// answer.
type queued struct {
	u       domain.RawUpdate
	verdict verdict
	answer  string // the callback query id of a dropped tap
	staff   bool   // on a staff lane (lanes.go)
	// alone: when it was stored, no earlier update of its chat was
	// pending, so inOrder need not look for one (SaveDeliveries).
	alone bool
}

func (b *Bot) dispatch(j queued) bool {
	b.closeMu.RLock()
	defer b.closeMu.RUnlock()
	if b.closing.Load() {
		return false // stored, not handled: the caller does not confirm it
	}
	if !b.started.Load() {
		return true // stored; handled when this one starts
	}
	b.inflight.Add(1)
	j.staff = b.lanes.take(j.u.ChatID)
	b.queue(j) <- j
	return true
}

// queue is the worker's queue of a chat: always the same one while the
// chat has updates in hand (lanes.take), so its updates are handled in
// order.
func (b *Bot) queue(j queued) chan queued {
	qs := b.queues
	if j.staff {
		qs = b.staffQs
	}
	n := j.u.ChatID % int64(len(qs))
	if n < 0 {
		n = -n
	}
	return qs[n]
}

// listStaff lists the active staff of every store.
func (b *Bot) listStaff(ctx context.Context) ([]domain.Staff, error) {
	var staff []domain.Staff
	err := b.cfg.Store.Update(ctx, func(tx domain.Tx) error {
		var err error
		staff, err = tx.ListStaff(ctx, 0)
		return err
	})
	return staff, err
}

// learnStaff marks the staff's chats for the staff lanes before the first
// update; process keeps the marks current (an invite taken, a dismissal).
func (b *Bot) learnStaff(ctx context.Context) {
	staff, err := b.listStaff(ctx)
	if err != nil {
		b.log.Warn("staff chats unknown until they write: they share the members' lanes", "err", err)
	}
	for _, st := range staff {
		if st.ChatID != 0 {
			b.lanes.learn(st.ChatID, true)
		}
	}
}

// process handles one stored update end to end, or only asks the person
// to slow down when the flood limit said so at intake (verdict). A
// panic anywhere is recovered here: one bad update must not take the bot
// down. An update that cannot be handled is set aside, never left to be
// retried at every start.
func (b *Bot) process(ctx context.Context, u domain.RawUpdate, v verdict, staff bool) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			b.m.handlerErrors.Inc()
			b.log.Error("panic handling update", "update_id", u.UpdateID, "panic", r, "stack", string(debug.Stack()))
			b.deadLetter(ctx, u, fmt.Sprintf("panic: %v", r))
		}
		b.m.latency.Observe(time.Since(start).Seconds())
	}()
	b.m.updates.Inc()
	var upd wireUpdate
	err := json.Unmarshal(u.Payload, &upd)
	var m *models.ChatMemberUpdated
	if err == nil && upd.MyChatMember != nil {
		err = json.Unmarshal(*upd.MyChatMember, &m)
	}
	if err != nil {
		b.deadLetter(ctx, u, "decode stored update: "+err.Error())
		return
	}
	if m != nil && m.Chat.Type == models.ChatTypePrivate {
		// The person blocked the bot (or unblocked it): Telegram tells us
		// before any send fails, so stop queueing for them right away.
		b.chatMember(ctx, u.UpdateID, m.Chat.ID, m.NewChatMember.Type == models.ChatMemberTypeBanned)
		return
	}
	in, ok := toInput(&upd)
	if !ok {
		b.skip(ctx, u.UpdateID)
		return
	}
	handle := b.cfg.Engine.Handle
	if v == slowDown {
		b.m.flooded.Inc()
		handle = b.cfg.Engine.SlowDown
	}
	// lost gathers what attempts that failed with the database away
	// wrote and hold: a COMMIT whose answer was lost on the way did land,
	// and nobody else sends its replies before their hold's lease runs out.
	var out, lost flows.Outcome
	inDoubt := false // an attempt failed with the database away
	hctx := ctx
	if staff {
		hctx = domain.First(ctx) // the till's transaction takes the next free connection
	}
	err = b.untilAvailable(u.UpdateID, func() (err error) {
		out, err = handle(hctx, in)
		if errors.Is(err, domain.ErrUnavailable) {
			inDoubt = true
			lost.Outbox = append(lost.Outbox, out.Outbox...)
			lost.CallbackText = cmp.Or(out.CallbackText, lost.CallbackText)
		}
		return err
	})
	if errors.Is(err, domain.ErrUnavailable) {
		b.log.Warn("update left for the next start: database unavailable", "update_id", u.UpdateID)
		return // stopping with the database still away; it is stored
	}
	if err != nil {
		b.m.handlerErrors.Inc()
		// Usually the engine could still tell the person something went
		// wrong and mark the update handled; this sets it aside only if
		// even that failed.
		b.deadLetter(ctx, u, err.Error())
	}
	if out.Duplicate {
		b.m.duplicates.Inc()
		if inDoubt {
			// Handled by one of the attempts above, or by another
			// process if they all rolled back. The rows an attempt
			// held are found by their chat and lease (their ids came
			// back with the lost COMMIT) and sent as if the hold had
			// gone stale: each row is taken again first, fenced by its
			// attempts count, so a row the background sender took
			// over is not sent. The
			// tap is answered too, or its button keeps spinning (a
			// second answer, if another process gave one, is refused
			// by Telegram and only logged).
			b.sender.SendLost(ctx, lost.Outbox)
			b.answerCallback(ctx, in, lost.CallbackText)
		}
		return
	}
	if err == nil {
		b.lanes.learn(u.ChatID, out.Staff)
	}
	b.sender.SendHeld(ctx, out.Outbox, out.HeldSince)
	if out.Queued {
		b.sender.Kick() // another chat's message: the customer hears at once
	}
	b.answerCallback(ctx, in, out.CallbackText)
}

// answerCallback answers a button tap: every callback is answered, or the
// button spins on the phone.
func (b *Bot) answerCallback(ctx context.Context, in flows.Input, text string) {
	if in.Callback == nil {
		return
	}
	if err := b.api.answerCallback(ctx, in.Callback.ID, text); err != nil {
		b.m.sendErrors.WithLabelValues(errorCode(err)).Inc()
		b.log.Warn("answer callback", "err", err)
	}
}

// chatMember records a block or unblock of the bot by a person.
func (b *Bot) chatMember(ctx context.Context, updateID, chatID int64, blocked bool) {
	if blocked {
		if err := b.cfg.Store.Outbox().MarkUnreachable(ctx, chatID); err != nil {
			b.log.Error("mark unreachable", "chat", chatID, "err", err)
		}
	} else {
		var err error
		if b.cfg.Engine != nil {
			err = b.cfg.Engine.ChatUnblocked(ctx, chatID) // an owner hears what they missed
		} else {
			err = b.cfg.Store.Update(ctx, func(tx domain.Tx) error { return tx.MarkChatReachable(ctx, chatID) })
		}
		if err != nil {
			b.log.Error("mark reachable", "chat", chatID, "err", err)
		}
	}
	b.skip(ctx, updateID)
}

// WaitIdle returns once no update is in hand and the outbox has nothing due
// (tests use it instead of sleeping).
func (b *Bot) WaitIdle(ctx context.Context) error {
	for {
		if b.inflight.Load() == 0 {
			n, err := b.cfg.Store.Outbox().Pending(ctx)
			if err != nil {
				return err
			}
			if n == 0 && b.inflight.Load() == 0 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("bot not idle: %d updates in hand: %w", b.inflight.Load(), ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// RegisterCommands calls setMyCommands for every language, plus once
// without a language for clients in any other language, and deletes the
// menus of the languages the message files hold but the business does
// not offer.
func (b *Bot) RegisterCommands(ctx context.Context, langs []string, defaultLang string) error {
	set := func(lang, code string) error {
		var cmds []models.BotCommand
		for _, c := range b.cfg.Engine.Commands(lang) {
			cmds = append(cmds, models.BotCommand{Command: c.Name, Description: c.Description})
		}
		_, err := b.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{
			Commands: cmds, Scope: &models.BotCommandScopeAllPrivateChats{}, LanguageCode: code,
		})
		if err != nil {
			return fmt.Errorf("setMyCommands %q: %w", code, err)
		}
		return nil
	}
	for _, l := range langs {
		if err := set(l, l); err != nil {
			return err
		}
	}
	if err := set(defaultLang, ""); err != nil {
		return err
	}
	// A language offered before and dropped from the config since keeps
	// its menu in Telegram until deleted: its clients would read it in a
	// language the bot no longer answers in.
	for _, l := range b.cfg.Engine.Languages() {
		if slices.Contains(langs, l) {
			continue
		}
		_, err := b.api.DeleteMyCommands(ctx, &tg.DeleteMyCommandsParams{
			Scope: &models.BotCommandScopeAllPrivateChats{}, LanguageCode: l,
		})
		if err != nil { // the staff's menus below matter more
			b.log.Warn("delete a dropped language's commands", "lang", l, "err", err)
		}
	}
	// Staff see their own commands in their chat only.
	staff, err := b.listStaff(ctx)
	if err != nil {
		return err
	}
	for _, st := range staff {
		// In the language the bot last answered them in, as their alerts.
		lang := defaultLang
		if slices.Contains(langs, st.Language) {
			lang = st.Language
		}
		menu := b.cfg.Engine.StaffMenu(lang, &st)
		if err := chatCommands(ctx, b.api, st.ChatID, menu); err != nil {
			b.log.Warn("staff commands", "chat", st.ChatID, "err", err)
		}
	}
	return nil
}
