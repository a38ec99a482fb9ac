package main

import (
	"context"
	"fmt"
	"io"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// seedDemo generates n demo customers with histories (on a playground
// that has none yet), so /stats has something to show from the start,
// and makes every demo customer a person of the fake Bot API: the nudges
// the clock brings them are delivered (and kept off the page's lists).
func seedDemo(ctx context.Context, a *app, fake *tgfake.Server, n int, cashier *domain.Staff, stdout io.Writer) error {
	if n > 0 {
		seed := postgres.DemoSeed{Customers: n, Now: a.now(), Currency: a.biz.Currency, Cashier: cashier.ID,
			Welcome: a.biz.WelcomeBonus, WelcomeDays: a.biz.WelcomeBonusDays, PointValue: a.biz.Program.PointValue,
			EarnBP: 300, Consent: a.biz.ConsentVersion}
		if len(a.biz.Program.Tiers) > 0 {
			seed.EarnBP = a.biz.Program.Tiers[0].EarnBP
		}
		if r, ok := a.biz.Nudges.Rule("winback"); ok {
			seed.WinBackDays, seed.WinBackBonus = r.Days, r.Bonus
		} else {
			seed.WinBackDays = 30
		}
		made, err := a.db.GenerateDemo(ctx, seed)
		if err != nil {
			return err
		}
		if made > 0 {
			fmt.Fprintf(stdout, "  demo data: %d customers with purchases, ratings and nudges\n", made)
		}
	}
	chats, err := a.db.DemoChats(ctx)
	if err != nil {
		return err
	}
	for _, c := range chats {
		fake.BackgroundUser(c.ChatID, c.Name, c.Language)
	}
	return nil
}
