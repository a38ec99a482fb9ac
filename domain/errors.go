package domain

import "errors"

// Errors that flows and the API turn into clear messages for people. Every
// other error is an internal one: logged once at the edge and shown as a
// polite "something went wrong".
var (
	// ErrNotFound means the thing asked for does not exist (or is not visible).
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness rule was broken (same idempotency key
	// with another body, a phone already taken, …).
	ErrConflict = errors.New("conflict")
	// ErrInvalid means user input failed validation; wrap it with a
	// *ValidationError to say why.
	ErrInvalid = errors.New("invalid input")
	// ErrInsufficientPoints means a debit would make a balance negative.
	ErrInsufficientPoints = errors.New("insufficient points")
	// ErrCardExpired means a card token or code was genuine but is too old.
	ErrCardExpired = errors.New("card code expired")
	// ErrCardInvalid means a card token or code is malformed or forged.
	ErrCardInvalid = errors.New("card code invalid")
	// ErrTooManyAttempts means card lookups are paused for a while after
	// too many failed ones; a *TooManyAttemptsError says for how long.
	ErrTooManyAttempts = errors.New("too many attempts")
	// ErrRevoked means a POS API key was revoked (or never existed) while
	// the caller relied on knowing it (StaffStore.VerifyAPIKey).
	ErrRevoked = errors.New("API key revoked")
	// ErrUnavailable means the database could not be reached or dropped
	// the connection (restarted, failed over, network): nothing was
	// decided, and the same request may succeed in a moment. Callers retry
	// (the bot) or say "try again" (the POS API's 503), never "no".
	ErrUnavailable = errors.New("database unavailable")
	// ErrCustomerErased means the customer deleted their data: there is
	// no one left to write to or to credit (an owner's reply or apology
	// points on a rating they gave before).
	ErrCustomerErased = errors.New("customer erased their data")
	// ErrInquiryErased means a question to the shop went with its
	// customer's data (only an erasure deletes one): nobody is left to
	// answer, and nothing to mark.
	ErrInquiryErased = errors.New("question erased with its customer's data")
	// ErrCustomerUnreachable means the customer blocked the bot (or has
	// no chat): a message written for them would not reach them, though
	// points still land on their card.
	ErrCustomerUnreachable = errors.New("customer cannot be written to")
	// ErrInviteYours means a staff invitation was opened again by the
	// person who accepted it: they are on the team already.
	ErrInviteYours = errors.New("invitation accepted by this person already")
	// ErrHandledAlready means a Telegram update was handled before (a
	// redelivery, a replay, another replica's copy): the transaction that
	// handled it again rolled back (UpdateStore.FinishUpdate).
	ErrHandledAlready = errors.New("update handled already")
)

// ValidationError says which rule an input broke, as a message id that
// flows translate (e.g. "error.phone.invalid"). It unwraps to ErrInvalid.
type ValidationError struct {
	Reason string // a locale message id
	Detail string // optional technical detail, never shown to people
}

func (e *ValidationError) Error() string {
	if e.Detail != "" {
		return "invalid input: " + e.Reason + ": " + e.Detail
	}
	return "invalid input: " + e.Reason
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Invalid returns a *ValidationError with the given reason id.
func Invalid(reason string) error { return &ValidationError{Reason: reason} }
