// Package domain is the business of loyaltybot: customers, cards and card
// tokens, the points ledger and its rules, consents, the business config,
// and the storage interfaces the rest of the program implements. It imports
// only the standard library, so the rules can be read and tested without
// Telegram or SQL in the way.
package domain
