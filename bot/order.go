package bot

import (
	"context"
)

// inOrder handles the chat's earlier updates that are still pending,
// oldest first, and then u. One process hands a chat's updates to one
// worker in order, but behind a balancer a chat's next update may reach
// another replica while the previous one still waits in the first
// replica's queue: handled as they come, the person's second message
// could be answered before the first. The chat's conversation lock and
// the update's processed mark settle who handles it: one the other
// replica is handling is waited for (on the conversation) and then found
// done (its handling here rolled back), one handled here is found done
// when that replica reaches it. Only updates within the replay window are taken: older ones belong
// to the next start's setting aside. An earlier update is handled as a
// replay is (admitted): the flood limit judged it at the other replica's
// intake, which stored it.
//
// Long polling needs none of this: Telegram hands updates to one poller
// at a time (a second getUpdates is refused with 409 Conflict), so every
// update of a chat reaches this process, whose dispatch keeps their
// order; the check, one query per update, runs only when updates come by
// webhook, and then only for an update stored while an earlier one of
// its chat was pending (queued.alone): Telegram sends a chat's next
// update only once the previous one was answered, and the webhook
// answers after storing, so an earlier update not pending when this one
// was stored never will be.
func (b *Bot) inOrder(ctx context.Context, j queued) {
	u := j.u
	if u.ChatID != 0 && b.shared.Load() && !j.alone {
		earlier, err := b.cfg.Store.EarlierPendingUpdates(ctx, u.ChatID, u.UpdateID, b.cfg.Now().Add(-b.cfg.ReplayWindow))
		if err != nil {
			b.log.Error("earlier updates of the chat", "chat", u.ChatID, "update_id", u.UpdateID, "err", err)
		}
		for _, e := range earlier {
			b.process(ctx, e, admit, j.staff)
		}
	}
	b.process(ctx, u, j.verdict, j.staff)
}
