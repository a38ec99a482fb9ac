// Package posapi is the HTTP API a shop's point-of-sale system uses to
// accrue and redeem points, the machine twin of the cashier's checkout in
// the chat (DESIGN.md §3). The full contract is openapi.yaml beside this
// file; in short:
//
//	POST /api/v1/purchases                      record a receipt against a card
//	GET  /api/v1/cards/{card}?amount=123450     name, balance, tier, max_redeemable (welcome_held)
//	POST /api/v1/purchases/{purchase_id}/cancel reverse a purchase (24 h window)
//	POST /api/v1/purchases/{purchase_id}/returns return part of a purchase
//	GET  /api/v1/receipts/{receipt_id}          what became of a receipt sent
//	POST /api/v1/receipts/{receipt_id}/cancel   and /returns: the same by receipt_id
//	POST /api/v1/prizes                         a prize of [[rewards]] for points
//	POST /api/v1/prizes/{prize_id}/cancel       give its points back (24 h window)
//	POST /api/v1/offers/{offer_id}/use          a promised discount or gift honoured
//	POST /api/v1/events                         what a member did in the online shop
//
// Every call carries "Authorization: Bearer <key>"; a key (made by
// `loyaltybot apikey create --store CODE`) belongs to one store, and that
// store is where purchases are recorded and the only one whose purchases
// the key can cancel. Amounts are integer minor units, points are whole.
//
// A purchase is idempotent on (store, receipt_id): a repeat with the same
// body answers 200 with the first answer (balance as of now), the same
// receipt id with another amount, currency, redemption or categories is a
// 409 receipt_conflict, and any number of concurrent repeats record one
// purchase. A repeat is recognised even after the card code it carried has
// expired, so a POS retrying after a timeout always learns the outcome.
//
// Errors are {"error": {"code": "…", "message": "…"}} with a stable code
// for programs and an English message for the person integrating. Input
// that breaks a limit without being malformed JSON (receipt_id longer than
// 64 characters or not printable, more than 20 categories or one longer
// than 64 characters or empty) is 400 invalid_field, naming the field.
// Internal failures are 500 internal, logged once with details that the
// answer never contains; the database being away (restarting) is 503
// unavailable with Retry-After.
//
// A recorded or cancelled purchase queues the same chat message to the
// customer as a checkout at the register, in the same transaction, so a
// purchase and its message commit together.
//
// An event of the online shop (a cart abandoned, a product viewed, an
// order placed) names the member by card, phone or Telegram id and is
// idempotent on (store, event_id) the same way; nudge rules of kind
// "event" react to it later (event.go, domain/shop_events.go).
//
// Load drives a running API with concurrent purchases and reports
// throughput and latency percentiles, for capacity figures.
package posapi
