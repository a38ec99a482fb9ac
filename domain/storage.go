package domain

import (
	"context"
	"encoding/json"
	"time"
)

// Store is the storage the program needs. Every change happens inside
// Update, so a flow step, its ledger rows and its outgoing messages commit
// together or not at all; no transaction type leaks out of the adapter.
type Store interface {
	// Update runs fn in one transaction; fn's error rolls it back.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// SaveUpdate persists an incoming Telegram update before it is handled.
	// It reports false when that update_id was stored before (a redelivery),
	// and fails with ErrInvalid when the database cannot hold the payload
	// (some text it refuses): retrying cannot help, so the caller sets the
	// update aside with DeadLetterUpdate.
	SaveUpdate(ctx context.Context, updateID, chatID int64, payload []byte) (bool, error)
	// SaveUpdates is SaveUpdate for a whole getUpdates answer in one
	// statement and one commit, so long polling does not wait for a disk
	// flush per update. fresh[i] tells whether us[i] was new. ErrInvalid
	// (one payload the database refuses) stores none of them: the caller
	// then saves them one by one.
	SaveUpdates(ctx context.Context, us []RawUpdate) (fresh []bool, err error)
	// SaveDeliveries is SaveUpdates for updates that came by webhook. It
	// also tells, of each update stored, whether an earlier update of its
	// chat was pending then (stored and not handled, or in us): with
	// several replicas another one may hold it, and the update must wait
	// for it. When none was, none can come later: Telegram sends a chat's
	// next update only once the previous one was answered, which the
	// webhook does after storing it.
	SaveDeliveries(ctx context.Context, us []RawUpdate) (fresh, behind []bool, err error)
	// PendingUpdates lists stored updates not yet handled, oldest first:
	// what a crash left behind.
	PendingUpdates(ctx context.Context, limit int) ([]RawUpdate, error)
	// EarlierPendingUpdates lists the chat's stored updates older than
	// updateID that are not handled yet and arrived at since or later,
	// oldest first: with several replicas, another one may hold them.
	EarlierPendingUpdates(ctx context.Context, chatID, updateID int64, since time.Time) ([]RawUpdate, error)
	// DeadLetterUpdate sets an update aside with the reason, so it is never
	// tried again and blocks nobody: one the intake could not store, or a
	// stored one still unhandled (it is then marked done). A stored update
	// already handled is left as it is. It reports whether it set the
	// update aside.
	DeadLetterUpdate(ctx context.Context, u RawUpdate, reason string) (bool, error)
	// SetAsideStaleUpdates dead-letters, with the reason, every stored update
	// still unhandled that arrived more than maxAge ago by the store's
	// clock, and reports how many it set aside.
	SetAsideStaleUpdates(ctx context.Context, maxAge time.Duration, reason string) (int, error)
	// Outbox is the queue of messages to send.
	Outbox() Outbox
	// Ping checks the database for /healthz.
	Ping(ctx context.Context) error
	// SyncStores upserts the stores of the business config.
	SyncStores(ctx context.Context, stores []StoreConfig) error
	// ListCardsToExpire finds, set-based, cards holding points due to
	// expire: a lot past its date, or regular points on a card without a
	// purchase since inactiveBefore. Cards with id > afterID, ascending.
	ListCardsToExpire(ctx context.Context, now, inactiveBefore time.Time, afterID int64, limit int) ([]int64, error)
	// PurgeUpdates deletes raw updates handled or set aside before t;
	// PurgeOutbox
	// deletes messages sent or dropped before t (the retention job).
	PurgeUpdates(ctx context.Context, before time.Time) (int64, error)
	PurgeOutbox(ctx context.Context, before time.Time) (int64, error)
	// ExportStore streams the owners' CSV exports outside any
	// conversation's transaction.
	ExportStore
	// TryLock runs fn only if no other replica holds the named job lock.
	TryLock(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error)
}

// Tx is what a transaction can do: every aggregate's storage, so a use
// case that spans several (a purchase touches cards, lots, purchases and
// the outbox) runs in one transaction. Functions that need less take the
// small interface they use. Methods are verbs first.
type Tx interface {
	UpdateStore
	ConversationStore
	CustomerStore
	ShopStore
	CardStore
	PurchaseStore
	StaffStore
	QuestionnaireStore
	WaitlistStore
	OutboxWriter
	LookupCounters
	FeedbackStore
	TopicStore
	BroadcastStore
	PollStore
	NudgeStore
	ShopEventStore
	ContactStore
	BadgeStore
	LeaderboardStore
	ReferralStore
	InsightStore
	ReportStore
	KPIStore
	CardMoveStore
	LivePromotionStore
	PrizeStore
	OfferStore
	InquiryStore
	CodeWordStore
	ReviewStore
}

// UpdateStore is the inbox of Telegram updates, inside a transaction.
type UpdateStore interface {
	// ClaimUpdate locks a stored update; it reports false when the update
	// was handled already (by this or another replica).
	ClaimUpdate(ctx context.Context, updateID int64) (bool, error)
	// MarkUpdateProcessed records that the update was handled.
	MarkUpdateProcessed(ctx context.Context, updateID int64) error
	// FinishUpdate marks a stored update handled, at the end of the
	// transaction that handled it, in place of ClaimUpdate at its start
	// and MarkUpdateProcessed. Its verdict comes with the commit, which
	// then fails: with ErrHandledAlready when the update was handled
	// already (by this or another replica; the transaction rolls back),
	// with ErrNotFound when it was never stored. The row lock is taken
	// last, after the chat's conversation, which every handler of the
	// update takes first.
	FinishUpdate(ctx context.Context, updateID int64) error
}

// ConversationStore keeps each chat's place in a flow.
type ConversationStore interface {
	// LockConversation returns the chat's conversation row, creating it,
	// locked until the transaction ends so two quick taps never race.
	LockConversation(ctx context.Context, chatID int64) (*Conversation, error)
	SaveConversation(ctx context.Context, c *Conversation) error
	// OpenChat is what every update starts with, in one round trip:
	// LockConversation, then the customer and the staff member the
	// Telegram user is (nil when they are none), each read after the lock
	// is held, as FindCustomerByTelegramID and FindStaffByTelegramID would.
	// also names what the update's handler reads first, read along in
	// the same round trip (see ChatReads).
	OpenChat(ctx context.Context, chatID, telegramID int64, also ChatReads) (*ChatState, error)
}

// ChatReads are reads an update's handler starts with, which OpenChat
// makes along with the chat (after the people, as the handler would):
// the store answers the handler's call from them while nothing else has
// run in the transaction, and reads again after that. A handler that
// never makes the call costs one statement more in that round trip; one
// that makes it saves a round trip.
type ChatReads uint8

const (
	// ReadTopicChoices: the customer's topic choices (ListTopicChoices),
	// for /topics and its buttons.
	ReadTopicChoices ChatReads = 1 << iota
	// ReadLivePromotions: the live promotions running (LivePromotionsAt),
	// for the card's caption.
	ReadLivePromotions
	// ReadCardExpiry: the expiry facts of the customer's card
	// (FindCardWithExpiry), for /card: points past their date are written
	// off before the balance is shown.
	ReadCardExpiry
)

// ChatState is what OpenChat reads.
type ChatState struct {
	Conversation *Conversation
	Customer     *Customer // nil: not a customer
	Staff        *Staff    // nil: not staff (a revoked member is returned)
}

// CustomerStore keeps customers, their consents and what erasure leaves.
type CustomerStore interface {
	FindCustomerByTelegramID(ctx context.Context, telegramID int64) (*Customer, error)
	FindCustomerByID(ctx context.Context, id int64) (*Customer, error)
	// CreateCustomer inserts c and sets its ID and CreatedAt.
	CreateCustomer(ctx context.Context, c *Customer) error
	// UpdateCustomer saves the mutable fields; a phone taken by another
	// customer gives ErrConflict.
	UpdateCustomer(ctx context.Context, c *Customer) error
	// SetCustomerPhone gives a customer a phone; ErrConflict when another
	// customer has it, and the transaction goes on. A verified phone (the
	// account's own shared contact) first takes the number from a
	// customer who only typed it. It tells whether the number it replaced
	// was verified.
	SetCustomerPhone(ctx context.Context, customerID int64, phone string, verified bool) (wasVerified bool, err error)
	// PhoneVerified reports whether the customer's phone came from their
	// own shared contact (false for a typed one, or none).
	PhoneVerified(ctx context.Context, customerID int64) (bool, error)
	// MarkChatReachable clears the unreachable mark of the chat's
	// customer and staff member.
	MarkChatReachable(ctx context.Context, chatID int64) error
	AppendConsent(ctx context.Context, customerID int64, c Consent) error
	ListConsents(ctx context.Context, customerID int64) ([]Consent, error)
	// EraseCustomer removes every copy of a customer's personal data at
	// once: name, phone, language and the Telegram link; answers, facts,
	// section offers, waitlist entries and the online shop's events;
	// badges, the leaderboard pseudonym and the referral code; the
	// chat's conversation, its raw updates (those set aside too) and its
	// outbox rows, and handled or set-aside updates of other chats that
	// name them.
	// The hashes in e are kept; cards, ledger, purchases and consent
	// records stay as anonymous rows. Messages queued after it in the same
	// transaction (the confirmation) are sent.
	EraseCustomer(ctx context.Context, customerID int64, e Erasure) error
	// PhoneErased and AccountErased report whether an erased member had
	// this phone or Telegram account (by salted hash); AccountErased
	// counts only an erasure (or a card moving away) at or before a time.
	PhoneErased(ctx context.Context, phoneHash []byte) (bool, error)
	// RetirePhone counts a number a member left for another as erased:
	// its welcome bonus was given.
	RetirePhone(ctx context.Context, phoneHash []byte, at time.Time) error
	AccountErased(ctx context.Context, accountHash []byte, before time.Time) (bool, error)
}

// ShopStore reads the stores of the business config.
type ShopStore interface {
	FindShopByCode(ctx context.Context, code string) (*Shop, error)
	FindShopByID(ctx context.Context, id int64) (*Shop, error)
}

// CardStore keeps cards, the points ledger and the lots the points sit
// in. Every change of a card's points happens under the card's lock.
type CardStore interface {
	// CreateCard issues a card with the given number; ErrConflict when the
	// number is taken (the caller draws another).
	CreateCard(ctx context.Context, customerID int64, number string) (*Card, error)
	FindCardByCustomer(ctx context.Context, customerID int64) (*Card, error)
	// FindCardWithExpiry is FindCardByCustomer with what tells whether
	// any of the card's lots may have expired (ExpiryFacts.Due).
	FindCardWithExpiry(ctx context.Context, customerID int64) (*Card, ExpiryFacts, error)
	FindCardByID(ctx context.Context, id int64) (*Card, error)
	// CardForQuote reads a card, its owner, its spend since t (as
	// SpendSince), its expiry facts and the points of a welcome bonus
	// held for its first purchase (0: none) at once, for QuoteCard;
	// ErrNotFound when either is missing.
	CardForQuote(ctx context.Context, id int64, since time.Time) (*Card, *Customer, int64, ExpiryFacts, int64, error)
	FindCardByNumber(ctx context.Context, number string) (*Card, error)
	// LockCard loads a card and locks it until the transaction ends.
	LockCard(ctx context.Context, cardID int64) (*Card, error)

	// AppendLedger writes one ledger row and moves the balance. The same
	// idempotency key twice returns the first row (ok=false); a debit past
	// zero gives ErrInsufficientPoints.
	AppendLedger(ctx context.Context, e LedgerEntry) (row LedgerEntry, created bool, err error)
	ListLedger(ctx context.Context, cardID int64, limit int) ([]LedgerEntry, error)
	// FindLedgerByKey reads the row written with an idempotency key; ok
	// is false when there is none.
	FindLedgerByKey(ctx context.Context, key string) (row LedgerEntry, ok bool, err error)
	// AppendCredit is AppendLedger plus AddLot for a positive row, in one
	// statement (one round trip on the money path).
	AppendCredit(ctx context.Context, e LedgerEntry, kind LotKind) (row LedgerEntry, created bool, err error)
	// ForfeitedPoints is what the card's forfeit rows (LedgerForfeit)
	// took off it, net: 0 for a card whose customer never erased data.
	ForfeitedPoints(ctx context.Context, cardID int64) (int64, error)

	// ListOpenLots lists the card's lots with points remaining.
	ListOpenLots(ctx context.Context, cardID int64) ([]Lot, error)
	// OpenLotsOfKeys lists the ids of the card's lots with points
	// remaining that the ledger rows written with these idempotency keys
	// put there: a bonus's own lots, for its take-back.
	OpenLotsOfKeys(ctx context.Context, cardID int64, keys []string) ([]int64, error)
	// UseLots takes points from lots.
	UseLots(ctx context.Context, uses []LotUse) error
	// RestoreLots gives the points of uses back for the credit row e
	// (written just before, its amount their sum): into each lot still
	// live at now, and those of lots expired by then as one new regular
	// lot of e with no own expiry, like points earned; with a non-zero
	// keepUntil (the card idle) regular lots count as expired too, and
	// the new lot is a promo one expiring then. It returns the points of
	// the new lot (0: none). Use giveBack, which writes e.
	RestoreLots(ctx context.Context, e LedgerEntry, uses []LotUse, now, keepUntil time.Time) (renewed int64, err error)
	// HoldWelcome keeps a welcome bonus for the card's first purchase
	// (LoadCheckout reads it, WritePurchase pays it).
	HoldWelcome(ctx context.Context, h HeldWelcome) error
	// PurchaseWelcome reads what the card holds of a welcome bonus a
	// purchase paid, when no purchase of the card stands (else Paid
	// false: nothing to undo).
	PurchaseWelcome(ctx context.Context, cardID int64) (PurchaseWelcome, error)
}

// PurchaseStore keeps purchases.
type PurchaseStore interface {
	// LoadCheckout locks the card and reads everything a purchase needs in
	// one round trip (the money path is latency-bound on Postgres).
	LoadCheckout(ctx context.Context, q CheckoutQuery) (*CheckoutState, error)
	// WritePurchase inserts p and w: the debit with its lot uses and the
	// credit with its regular lot. The writes may be sent with the next
	// statement or with the commit, so their errors (ErrConflict for a
	// taken idempotency key) may come from there, and p.ID is set only
	// once they ran.
	WritePurchase(ctx context.Context, p *Purchase, w PurchaseWrites) error
	FindPurchaseByKey(ctx context.Context, key string) (*Purchase, error)
	FindPurchaseByPublicID(ctx context.Context, publicID string) (*Purchase, error)
	ListLotUses(ctx context.Context, purchaseID int64) ([]LotUse, error)
	// MarkPurchaseCancelled records a cancellation; ErrConflict when the
	// purchase was cancelled already.
	MarkPurchaseCancelled(ctx context.Context, purchaseID, byStaff int64, at time.Time) error
	// FindReturnByKey finds a return by its idempotency key (ErrNotFound).
	FindReturnByKey(ctx context.Context, key string) (*Return, error)
	// WriteReturn inserts r (setting its ID) and writes what stands of p
	// after it: amounts, points, returned columns and, for a return of
	// all of it, the cancellation.
	WriteReturn(ctx context.Context, r *Return, p *Purchase) error
	// ListCardPurchases lists the card's purchases since t that stand
	// (not cancelled) at one store (shopID 0: any), newest first, at most
	// limit.
	ListCardPurchases(ctx context.Context, cardID, shopID int64, since time.Time, limit int) ([]Purchase, error)
	// SpendSince sums the card's purchase amounts (not cancelled) since t.
	SpendSince(ctx context.Context, cardID int64, since time.Time) (int64, error)
	// LastPurchaseAt is the time of the card's newest purchase (zero if none).
	LastPurchaseAt(ctx context.Context, cardID int64) (time.Time, error)
	// LastPurchaseAtExcept is LastPurchaseAt without purchase id: the
	// card's activity once that purchase is cancelled.
	LastPurchaseAtExcept(ctx context.Context, cardID, purchaseID int64) (time.Time, error)
	// ListRecentPurchases lists purchases since t, newest first, of one
	// store (shopID 0: all), with who bought and who rang them up.
	ListRecentPurchases(ctx context.Context, shopID int64, since time.Time, limit int) ([]RecentPurchase, error)
	// ReadStaffDay sums a staff member's purchases since t and lists the
	// newest (limit), cancelled ones included (StaffDay).
	ReadStaffDay(ctx context.Context, staffID int64, since time.Time, limit int) (*StaffDay, error)
	// ListCustomerPurchases lists all of a customer's purchases, oldest
	// first (for the data export).
	ListCustomerPurchases(ctx context.Context, customerID int64) ([]Purchase, error)
}

// StaffStore keeps staff, their invites and the stores' POS API keys.
type StaffStore interface {
	FindStaffByTelegramID(ctx context.Context, telegramID int64) (*Staff, error)
	FindStaffByID(ctx context.Context, id int64) (*Staff, error)
	// SaveStaff inserts or (same Telegram id) re-activates and updates a
	// staff member, setting ID.
	SaveStaff(ctx context.Context, s *Staff) error
	// SetStaffLanguage records the language the bot last answered a staff
	// member in (Staff.Language).
	SetStaffLanguage(ctx context.Context, id int64, lang string) error
	// LockStaff locks the staff members with these ids, in the order of
	// their ids (so two transactions locking the same people never
	// deadlock), and returns them as they are once locked.
	LockStaff(ctx context.Context, ids ...int64) ([]Staff, error)
	RevokeStaff(ctx context.Context, id int64, at time.Time) error
	// VoidInvitesBy voids the unused invites and card-move links a staff
	// member made.
	VoidInvitesBy(ctx context.Context, staffID int64, at time.Time) error
	// ListStaff lists active staff of a store (shopID 0: all stores).
	ListStaff(ctx context.Context, shopID int64) ([]Staff, error)
	CreateInvite(ctx context.Context, inv *Invite, hash []byte) error
	// TakeInvite locks the invite with this token hash (ErrNotFound if
	// none); the caller checks it (Invite.Check), then MarkInviteUsed.
	TakeInvite(ctx context.Context, hash []byte) (*Invite, error)
	MarkInviteUsed(ctx context.Context, inviteID, staffID int64, at time.Time) error

	CreateAPIKey(ctx context.Context, shopID int64, hash []byte, prefix string) error
	// FindAPIKeyShop returns the store of an active key.
	FindAPIKeyShop(ctx context.Context, hash []byte) (int64, error)
	// VerifyAPIKey checks that a key whose store the caller knows is still
	// active, without a round trip of its own: the check goes out with the
	// next statement or the commit, and fails that one (and the
	// transaction) with ErrRevoked.
	VerifyAPIKey(ctx context.Context, hash []byte) error
	// ListAPIKeys lists the keys f selects, oldest first.
	ListAPIKeys(ctx context.Context, f APIKeyFilter) ([]APIKey, error)
	// RevokeAPIKey revokes an active key.
	RevokeAPIKey(ctx context.Context, id int64, at time.Time) error
}

// QuestionnaireStore keeps the profile answers, derived facts and which
// sections were offered.
type QuestionnaireStore interface {
	// SaveAnswer records an answer (value nil and skipped true for a
	// skip); the previous answer to the same question is kept as history.
	SaveAnswer(ctx context.Context, customerID int64, questionID string, value []byte, skipped bool, at time.Time) error
	// ListAnswers lists a customer's answers; current only, or the whole
	// history (oldest first).
	ListAnswers(ctx context.Context, customerID int64, history bool) ([]StoredAnswer, error)
	// ReplaceFacts stores the derived facts of a customer; ListFacts
	// reads them (for the data export).
	ReplaceFacts(ctx context.Context, customerID int64, facts map[string]string) error
	ListFacts(ctx context.Context, customerID int64) (map[string]string, error)
	// OfferSection records that a section was offered (idempotent);
	// CompleteSection marks it done; ListSectionOffers lists them.
	OfferSection(ctx context.Context, customerID int64, section string, at time.Time) error
	CompleteSection(ctx context.Context, customerID int64, section string, at time.Time) error
	ListSectionOffers(ctx context.Context, customerID int64) ([]SectionOffer, error)
}

// OutboxWriter queues messages in the caller's transaction.
type OutboxWriter interface {
	// Enqueue adds a message to the outbox. claim marks it as held by the
	// caller, who sends it right after commit, and returns its id;
	// unclaimed rows (id 0) are picked up by the background sender, and
	// their write may be deferred to the commit; an unclaimed row for a
	// staff member who blocked the bot is not written.
	Enqueue(ctx context.Context, m OutMessage, claim bool) (int64, error)
	// Hold adds a message held by the caller, who sends it right after
	// commit (Enqueue with claim), and sets m.Lease. By the time the
	// transaction has committed (the write may go out with COMMIT, and a
	// COMMIT's answer may be lost: see Outbox.Held) it has set m's ID and,
	// in Held, whether no other message of its chat was pending before it
	// when it was written, the caller's own held ones aside: the caller
	// may then send it without renewing the lease (Take), while the lease
	// taken at the write still has more than half of HoldLease to run.
	Hold(ctx context.Context, m *OutMessage) error
	// Awaits says whether a message of the chat that is neither sent nor
	// dropped has a payload holding match (JSON containment): an export
	// still on its way to the chat (flows' exportAction).
	Awaits(ctx context.Context, chatID int64, match []byte) (bool, error)
	// WithdrawAwaiting takes back, at at, the chat's messages neither
	// sent nor dropped whose payload holds match (as Awaits), unless a
	// sender holds them: the exports of a staff member revoked or moved
	// to another store since.
	WithdrawAwaiting(ctx context.Context, chatID int64, match []byte, at time.Time) error
}

// HoldLease is how long the transaction that wrote a message holds it for
// its own send before the background sender may take it over.
const HoldLease = time.Minute

// RawUpdate is a stored Telegram update.
type RawUpdate struct {
	UpdateID int64
	ChatID   int64
	Payload  []byte
}

// Conversation is a chat's place in a flow. Step ids are strings, never
// slice indexes, so adding a step does not shift someone half way through.
type Conversation struct {
	ChatID    int64
	Flow      string
	Step      string
	Data      map[string]string
	UpdatedAt time.Time
}

// ConvCustomerErased is the conversation data key that marks a staff
// member's step about a customer ended by that customer's erasure.
const ConvCustomerErased = "customer_erased"

// ConvGroupDraft is the conversation data key of a profile group's
// progress (the children or pets typed so far), which leaving a step
// keeps until the group is answered.
const ConvGroupDraft = "gdraft"

// Reset leaves any flow. The language chosen before joining and a profile
// group's draft are kept.
func (c *Conversation) Reset() {
	kept := map[string]string{}
	for _, k := range []string{"lang", ConvGroupDraft} {
		if v := c.Data[k]; v != "" {
			kept[k] = v
		}
	}
	c.Flow, c.Step, c.Data = "", "", kept
}

// OutMessage is a message waiting in the outbox. Payload is the rendered
// message as the Telegram adapter understands it.
type OutMessage struct {
	ID      int64
	ChatID  int64
	Payload json.RawMessage
	// Payloads is the message in each language of the business, kept
	// for one queued to wait (heldPayloads): a language change meanwhile
	// puts the new one's in Payload (RelanguageQueued). Nil: none.
	Payloads  map[string]json.RawMessage
	NotBefore time.Time
	// About is the customer a message is about and names (0: none): one
	// to staff, or her own export or purchase notice in a chat her
	// erasure keeps (a staff member's); her erasure withdraws it while
	// it still waits, so it never goes out with her data.
	About int64
	// AlsoAbout are the other customers it names (a digest lists
	// several): the erasure of any of them withdraws it alike.
	AlsoAbout []int64
	// AboutFeedback is the low rating an alert is about (0: none): an
	// owner or manager back after blocking the bot is sent the alerts
	// that never reached them (ListMissedAlerts).
	AboutFeedback int64
	// Undelivered is what a staff member's words to a customer (an
	// answer to a question or a rating, a message of their own) leave
	// behind should the customer turn out to have blocked the bot: the
	// writer is told, and the thread they answered waits again (nil:
	// none). Not kept once the row is sent.
	Undelivered *Undelivered
	// Attempts counts the leases taken on the row; a sender's lease holds
	// only while it is still the count the sender saw (see Outbox).
	Attempts int
	// Failures counts the leases that ended in a failure of the send:
	// Attempts less the 429s (Outbox.Throttle) and the leases given back
	// unsent (Outbox.Release).
	Failures int
	// Held is set by OutboxWriter.Hold: first in its chat when written,
	// under the writer's lease since then.
	Held bool
	// Moved says the row's card moved to another account while an
	// earlier lease held it (MoveCustomerAccount's moved_to), and that
	// lease lapsed with the message neither sent nor given back (its
	// sender gone): Release sends it to the new chat.
	Moved bool
	// Lease is the lease a held row was written with, shared by all the
	// rows one transaction holds (see Outbox.Held).
	Lease time.Time
	// LeasedAt is when Claim or ClaimChat asked for the row's lease, by
	// this process's clock: the lease runs at least until LeasedAt plus
	// the hold asked for, whatever the database's clock says, since the
	// database set it after that moment.
	LeasedAt time.Time
	// Decoded is Payload's value as its writer still holds it (nil:
	// decode Payload), set only where decoding Payload gives that value
	// back exactly; never stored.
	Decoded any
}

// Undelivered is the notice its writer gets when the outbox drops a
// staff member's message to a customer after a 403 (the customer blocked
// the bot), and the thread it answered.
type Undelivered struct {
	ChatID  int64           // the writer's chat
	Payload json.RawMessage // the notice, rendered in the writer's language
	About   int64           // the customer it names
	// Inquiry and Feedback are the question or the rating the message
	// answers (0: none): it waits again (nobody handling it, unanswered),
	// unless a reply to it reached the customer before or someone closed
	// it otherwise since.
	Inquiry, Feedback int64
}

// Outbox is the durable queue of outgoing messages. A chat's messages go
// out one at a time in their order (not_before, then id): a message is
// sent only once no earlier message of its chat is pending, so a message
// put off after a 429 or an outage holds back its own chat and no other.
// Whoever sends a row holds a lease on it (Claim, ClaimChat, or Hold) and
// renews it with Take before a send once half of the lease has run (see
// LeasedAt and OutboxWriter.Hold); a new lease bumps
// Attempts, so a sender whose lease lapsed and was taken over finds out
// and leaves the row alone. Sent and dropped rows keep their metadata but
// not their payload: no invite link, export or personal data stays behind.
type Outbox interface {
	// Claim leases for hold up to limit messages that are due and first
	// pending in their chat (so at most one per chat), oldest first.
	Claim(ctx context.Context, limit int, hold time.Duration) ([]OutMessage, error)
	// ClaimChat leases for hold the chat's due messages written before
	// row before, in their order: what a worker about to send its reply
	// to the chat must send first. It takes an unbroken run from the
	// chat's first pending message, ending at the first it cannot take
	// (held, put off, or being claimed by another sender right now), so
	// it returns nothing when the chat's first pending message is one
	// of those.
	ClaimChat(ctx context.Context, chatID, before int64, hold time.Duration) ([]OutMessage, error)
	// Held returns the chat's pending rows still under lease, written by
	// OutboxWriter.Hold, in their order: the rows of the transaction that
	// held with that lease, found by the bot after a COMMIT whose answer
	// was lost (their ids came back with it). A row another sender took
	// over has another lease and is not returned.
	Held(ctx context.Context, chatID int64, lease time.Time) ([]OutMessage, error)
	// Take renews the caller's lease on m for hold right before sending
	// it. It reports false, changing nothing, when m must not be sent now:
	// another sender took it over, it is sent or dropped, the lease was
	// released, or an earlier message of its chat is still pending.
	Take(ctx context.Context, m OutMessage, hold time.Duration) (bool, error)
	// MarkSent records at once that the message went out, and scrubs it.
	MarkSent(ctx context.Context, id int64) error
	// PutOff makes the leased message wait at least after (a 429's
	// retry_after, a backoff) and releases it; the chat's later messages
	// wait behind it. A lease taken over since is left alone. A message
	// whose card moved to another account while it was leased
	// (CardMoveStore.MoveCustomerAccount) goes to the new chat instead,
	// without the old chat's wait.
	PutOff(ctx context.Context, m OutMessage, after time.Duration, reason string) error
	// Throttle is PutOff after Telegram's 429: the lease does not count
	// as a failure.
	Throttle(ctx context.Context, m OutMessage, after time.Duration, reason string) error
	// Release gives leases back for the background sender to take in
	// order (to the new chat, as PutOff, when their card moved
	// meanwhile); rows taken over since are left alone.
	Release(ctx context.Context, ms []OutMessage) error
	// Drop gives up on the message (the user blocked the bot, Telegram
	// refused it) and scrubs it; one whose card moved to another account
	// while it was leased goes to the new chat instead, as with PutOff.
	// A lease taken over since is left alone.
	Drop(ctx context.Context, m OutMessage, reason string) error
	// MarkUnreachable flags the chat's customer and staff member after a
	// 403 (a flagged staff member's chat is queued nothing) and drops the
	// chat's other pending, unleased messages: data is kept, sending stops.
	// A message dropped so, or by Drop for a 403 (reason "blocked…"), with
	// an OutMessage.Undelivered queues its notice and reopens its thread
	// in the same statement.
	MarkUnreachable(ctx context.Context, chatID int64) error
	// Pending counts rows due by the business clock and not yet sent or
	// dropped (tests wait for zero); a message for later (a feedback
	// request hours ahead) is not pending until its time.
	Pending(ctx context.Context) (int, error)
}

// StoredAnswer is one stored answer to a question.
type StoredAnswer struct {
	QuestionID   string
	Value        []byte // JSON of Answer; nil when skipped
	Skipped      bool
	AnsweredAt   time.Time
	SupersededAt time.Time
}

// SectionOffer says a questionnaire section was offered to a customer.
type SectionOffer struct {
	Section     string
	OfferedAt   time.Time
	CompletedAt time.Time
}
