package bot

import (
	"context"
	"errors"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// The database away (domain.ErrUnavailable: restarting, failing over) is
// waited out, not treated as a failure: nothing was decided.

// untilAvailable runs fn again while it fails because the database is
// away (domain.ErrUnavailable), with a growing pause, until it succeeds,
// fails otherwise, or the bot stops. Every attempt is one whole
// transaction that claims the update first, so a retry never acts twice:
// an attempt whose COMMIT was lost on the way finds the update handled.
// The worker (and the chats it serves) waits meanwhile; so does every
// other, as none can do anything without the database. Intake goes on:
// Telegram keeps what cannot be stored.
func (b *Bot) untilAvailable(updateID int64, fn func() error) error {
	pause := 50 * time.Millisecond
	for {
		err := fn()
		if !errors.Is(err, domain.ErrUnavailable) || b.closing.Load() {
			return err
		}
		b.m.unavailable.Inc()
		b.log.Warn("database unavailable; will retry the update", "update_id", updateID, "in", pause, "err", err)
		time.Sleep(pause)
		pause = min(2*pause, 2*time.Second)
	}
}

// skip marks an update the flows do not take as handled.
func (b *Bot) skip(ctx context.Context, updateID int64) {
	err := b.untilAvailable(updateID, func() error {
		return b.cfg.Store.Update(ctx, func(tx domain.Tx) error {
			if _, err := tx.ClaimUpdate(ctx, updateID); err != nil {
				return err
			}
			return tx.MarkUpdateProcessed(ctx, updateID)
		})
	})
	if err != nil {
		b.log.Error("skip update", "update_id", updateID, "err", err)
	}
}

// dbRetryFor bounds how long the sender retries one outbox write while the
// database is away: well inside the lease (claimHold), so a retried mark
// never lands after another sender took the row over.
const dbRetryFor = 20 * time.Second

// steadyOutbox retries the sender's bookkeeping on a leased row (renew,
// mark, put off, release, drop, and finding a lost COMMIT's rows) while
// the database is away (domain.ErrUnavailable) instead of giving up at
// once. Given up, a message Telegram took stays unmarked and is sent
// again when its lease lapses, and a message not sent waits out the
// lease: a database restart of a few seconds would cost a duplicate or a
// minute's delay. Claim is not retried: the background loop claims again
// at its next tick.
type steadyOutbox struct{ domain.Outbox }

func (o steadyOutbox) Take(ctx context.Context, m domain.OutMessage, hold time.Duration) (ok bool, err error) {
	err = retryDB(ctx, func() error { ok, err = o.Outbox.Take(ctx, m, hold); return err })
	return ok, err
}

// Held is retried too: it runs right after the database came back, and
// the replies it finds otherwise wait out their lease.
func (o steadyOutbox) Held(ctx context.Context, chatID int64, lease time.Time) (ms []domain.OutMessage, err error) {
	err = retryDB(ctx, func() error { ms, err = o.Outbox.Held(ctx, chatID, lease); return err })
	return ms, err
}

func (o steadyOutbox) MarkSent(ctx context.Context, id int64) error {
	return retryDB(ctx, func() error { return o.Outbox.MarkSent(ctx, id) })
}

func (o steadyOutbox) PutOff(ctx context.Context, m domain.OutMessage, after time.Duration, reason string) error {
	return retryDB(ctx, func() error { return o.Outbox.PutOff(ctx, m, after, reason) })
}

func (o steadyOutbox) Throttle(ctx context.Context, m domain.OutMessage, after time.Duration, reason string) error {
	return retryDB(ctx, func() error { return o.Outbox.Throttle(ctx, m, after, reason) })
}

func (o steadyOutbox) Release(ctx context.Context, ms []domain.OutMessage) error {
	return retryDB(ctx, func() error { return o.Outbox.Release(ctx, ms) })
}

func (o steadyOutbox) Drop(ctx context.Context, m domain.OutMessage, reason string) error {
	return retryDB(ctx, func() error { return o.Outbox.Drop(ctx, m, reason) })
}

// retryDB runs fn again, with a growing pause, while it fails with
// domain.ErrUnavailable, for up to dbRetryFor or until ctx ends.
func retryDB(ctx context.Context, fn func() error) error {
	deadline := time.Now().Add(dbRetryFor)
	pause := 50 * time.Millisecond
	for {
		err := fn()
		if !errors.Is(err, domain.ErrUnavailable) || time.Now().Add(pause).After(deadline) {
			return err
		}
		if sleepCtx(ctx, pause) != nil {
			return err
		}
		pause = min(2*pause, time.Second)
	}
}
