package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

const seedUsage = `usage:
  loyaltybot seed [-customers 1000000] [-purchases 10000000] [-seed 1] [-at TIME] [--playground]
      fill an empty database with a shop's two years of history, for the
      benchmarks (loyaltybot nudges bench); the same -seed and -at give the
      same data`

// seed fills an empty database (DATABASE_URL, the embedded default or the
// playground's) with generated history, set-based, for the benchmarks.
func seed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, seedUsage) }
	customers := fs.Int("customers", 1_000_000, "members")
	purchases := fs.Int("purchases", 10_000_000, "purchases, shared out among the members (skewed)")
	seedN := fs.Int64("seed", 1, "the random seed: the same seed gives the same data")
	at := fs.String("at", "", "the business time the history ends at (RFC 3339 or a date; default: now)")
	pg := fs.Bool("playground", false, "the playground's database")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if *customers < 1 || *customers > 50_000_000 || *purchases < 0 || *purchases > 1_000_000_000 || *seedN < 0 {
		fmt.Fprintln(stderr, "seed: -customers must be 1..50000000, -purchases 0..1000000000, -seed not negative")
		return errUsage
	}
	a, err := adminDB(ctx, getenv, stderr, *pg)
	if err != nil {
		return err
	}
	defer a.close()
	when := a.now()
	if *at != "" {
		if when, err = parseAt(*at, a.biz); err != nil {
			return err
		}
	}
	var sections, topics []string
	for _, s := range a.biz.Questionnaire.Sections {
		sections = append(sections, s.ID)
	}
	for _, t := range a.biz.Topics {
		topics = append(topics, t.ID)
	}
	langs := append([]string{a.biz.DefaultLanguage}, a.biz.Languages...)
	fmt.Fprintf(stdout, "seeding %d customers and %d purchases (seed %d) ending %s …\n",
		*customers, *purchases, *seedN, when.Format(time.RFC3339))
	start := time.Now()
	err = a.db.Seed(ctx, postgres.SeedOptions{
		Customers: *customers, Purchases: *purchases, Seed: *seedN, At: when,
		Languages: langs, Currency: a.biz.Currency, ConsentVersion: a.biz.ConsentVersion,
		WelcomeBonus: a.biz.WelcomeBonus, WelcomeDays: a.biz.WelcomeBonusDays,
		RegularExpiryDays: a.biz.Program.RegularExpiryDays, Topics: topics, Sections: sections,
		Rules: a.biz.Nudges.Rules,
		Step: func(name string, took time.Duration) {
			fmt.Fprintf(stdout, "  %-28s %8.1fs\n", name, took.Seconds())
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "done in %.0fs\n", time.Since(start).Seconds())
	return nil
}
