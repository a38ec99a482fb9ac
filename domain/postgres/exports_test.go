package postgres_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/domain"
)

// exportCSV runs one export through the domain's writer and parses it.
func exportCSV(t *testing.T, f *reportFixture, sc domain.ExportScope) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := f.svc.WriteExport(t.Context(), f.db, sc, &buf); err != nil {
		t.Fatal(err)
	}
	body, ok := strings.CutPrefix(buf.String(), "\ufeff")
	if !ok {
		t.Fatal("no UTF-8 byte order mark")
	}
	r := csv.NewReader(strings.NewReader(body))
	if domain.DecimalComma(sc.Lang) {
		r.Comma = ';'
	}
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("export %s is not CSV: %v\n%s", sc.Kind, err, body)
	}
	return rows
}

// TestExportsStreamEveryRow: each export holds every row of its table,
// personal data only when the scope allows it, a store's rows only for
// its manager; a quote in a comment survives the CSV round trip.
func TestExportsStreamEveryRow(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	owner := exportCSV(t, f, domain.ExportScope{Kind: domain.ExportCustomers, Personal: true})
	checkEqual(t, "owner's header", owner[0][:5], []string{"customer_id", "first_name", "phone", "card_number", "language"})
	if len(owner) != 5 || owner[1][1] != "Member 1001" || owner[1][2] != "+79990001001" || owner[1][3] != cardNumber(1001) {
		t.Fatalf("owner's customers: %q", owner)
	}
	// A: 2 purchases not cancelled, 1 500.50 in all, the last on 06.05.
	a := owner[1]
	if got := a[len(a)-5:]; got[1] != "2" || got[2] != "150050" || got[3] != "1500.50" || got[4] != "2031-05-06 12:00:00" {
		t.Fatalf("A's totals %q", got)
	}
	// A Russian owner's spreadsheet splits at ';' and reads "1500,50".
	ru := exportCSV(t, f, domain.ExportScope{Kind: domain.ExportCustomers, Personal: true, Lang: "ru"})
	if got := ru[1][len(ru[1])-2]; len(ru) != len(owner) || got != "1500,50" {
		t.Fatalf("the Russian export: spend %q in %q", got, ru)
	}
	manager := exportCSV(t, f, domain.ExportScope{Kind: domain.ExportCustomers, ShopID: f.river.ID})
	for _, row := range manager {
		for _, cell := range row {
			if strings.Contains(cell, "Member") || strings.Contains(cell, "+7999") || cell == cardNumber(1002) {
				t.Fatalf("a manager's export holds personal data: %q", row)
			}
		}
	}
	// River: B bought there (cancelled, still a customer of the store), D joined there.
	if len(manager) != 3 || manager[1][0] != itoa(f.b.ID) || manager[2][0] != itoa(f.d.ID) {
		t.Fatalf("river's customers: %q", manager)
	}

	purchases := exportCSV(t, f, domain.ExportScope{Kind: domain.ExportPurchases})
	if len(purchases) != 6 || purchases[5][0] != "p_c1" || purchases[5][7] != "10000" || purchases[5][8] != "100.00" ||
		purchases[5][1] != "2031-03-20 12:00:00" {
		t.Fatalf("purchases: %q", purchases)
	}
	if p := purchases[3]; p[0] != "p_b1" || p[13] == "" || p[4] != "Staff 2001" {
		t.Fatalf("the cancelled purchase: %q", p)
	}
	feedback := exportCSV(t, f, domain.ExportScope{Kind: domain.ExportFeedback, ShopID: f.river.ID})
	if len(feedback) != 3 || feedback[1][6] != "2" || feedback[1][7] != `Cold coffee, "slow"` {
		t.Fatalf("river's feedback: %q", feedback)
	}
	credit(t, f.db, f.cardA.ID, 40, domain.LotRegular, t0.AddDate(1, 0, 0))
	ledger := exportCSV(t, f, domain.ExportScope{Kind: domain.ExportLedger})
	if len(ledger) != 2 || ledger[1][2] != itoa(f.a.ID) || ledger[1][5] != "40" || ledger[1][6] != "40" {
		t.Fatalf("ledger: %q", ledger)
	}
	if got := exportCSV(t, f, domain.ExportScope{Kind: domain.ExportLedger, ShopID: f.river.ID}); len(got) != 1 {
		t.Fatalf("river's ledger holds A's points: %q", got)
	}
}

// TestExportStopsWhenTheWriterFails: an upload that breaks off ends the
// stream (and its snapshot) with the writer's error.
func TestExportStopsWhenTheWriterFails(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	broken := errors.New("upload over")
	n := 0
	err := f.db.StreamPurchases(t.Context(), 0, func(*domain.PurchaseExportRow) error {
		n++
		return broken
	})
	if !errors.Is(err, broken) || n != 1 {
		t.Fatalf("err %v after %d rows", err, n)
	}
	if got := sqlOne[int](t, f.db, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`); got != 0 {
		t.Fatalf("%d transactions left open", got)
	}
}

// TestCustomerCardAndAudit: the card finds a customer by phone, card
// number or code, reads their history and notes, and every view is
// logged; cashiers may note but not view, managers view but do not read
// the log.
func TestCustomerCardAndAudit(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	signer, err := domain.NewCardSigner([]byte("test-secret-test-secret-test-secret"), 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Signer = signer
	inTx(t, f.db, func(ctx context.Context, tx domain.Tx) error {
		for _, q := range []string{"+7 999 000-10-01", "8 999 000 10 01", cardNumber(1001), domain.FormatCode(signer.Code(cardNumber(1001), f.clock.Now()))} {
			c, err := f.svc.FindCustomer(ctx, tx, q)
			if err != nil || c.ID != f.a.ID {
				t.Errorf("FindCustomer(%q) = %v, %v", q, c, err)
			}
		}
		if _, err := f.svc.FindCustomer(ctx, tx, "+7 999 111-11-11"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("unknown phone: %v", err)
		}
		if _, err := f.svc.FindCustomer(ctx, tx, "Anna"); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("a name: %v", err)
		}
		if _, err := f.svc.AddNote(ctx, tx, f.cashier, f.a.ID, "  prefers oat milk "); err != nil {
			return err
		}
		if _, err := f.svc.AddNote(ctx, tx, f.cashier, f.a.ID, strings.Repeat("x", 201)); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("a long note: %v", err)
		}
		if _, err := f.svc.ViewCustomerCard(ctx, tx, f.cashier, f.a); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("a cashier viewed a card: %v", err)
		}
		cc, err := f.svc.ViewCustomerCard(ctx, tx, f.manager, f.a)
		if err != nil {
			return err
		}
		if len(cc.Purchases) != 2 || cc.Purchases[0].PublicID != "p_a2" || len(cc.Feedback) != 1 ||
			len(cc.Notes) != 1 || cc.Notes[0].Text != "prefers oat milk" || cc.Notes[0].StaffName != "Staff 2001" {
			t.Errorf("card %+v", cc)
		}
		if _, err := f.svc.ReadAudit(ctx, tx, f.manager, 10); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("a manager read the audit log: %v", err)
		}
		if _, err := f.svc.StartExport(ctx, tx, f.cashier, domain.ExportCustomers); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("a cashier exported: %v", err)
		}
		sc, err := f.svc.StartExport(ctx, tx, f.riverManager, domain.ExportCustomers)
		if err != nil || sc.Personal || sc.ShopID != f.river.ID {
			t.Errorf("manager's scope %+v %v", sc, err)
		}
		log, err := f.svc.ReadAudit(ctx, tx, f.owner, 10)
		if err != nil {
			return err
		}
		if len(log) != 2 || log[0].Action != domain.AuditExport || log[0].Detail != "customers" || log[0].StaffRole != domain.RoleManager ||
			log[1].Action != domain.AuditCustomerView || log[1].CustomerID != f.a.ID || log[1].StaffID != f.manager.ID {
			t.Errorf("audit log %+v", log)
		}
		return nil
	})
	// Erasing A deletes the notes about her; the audit rows stay, by id.
	inTx(t, f.db, func(ctx context.Context, tx domain.Tx) error {
		return tx.EraseCustomer(ctx, f.a.ID, domain.Erasure{At: f.clock.Now()})
	})
	if n := sqlOne[int](t, f.db, `SELECT count(*) FROM staff_notes`); n != 0 {
		t.Fatalf("%d notes survive the erasure", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestExportReadsFromACursor: a large export comes a thousand rows per
// FETCH from a cursor in an open read-only transaction, so the first row
// reaches the writer before the rest are read; every row arrives.
func TestExportReadsFromACursor(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	sqlExec(t, f.db, `INSERT INTO purchases (public_id, card_id, customer_id, store_id, source, idempotency_key,
		amount, currency, points_earned, points_redeemed, created_at)
		SELECT 'p_gen' || i, $1, $2, $3, 'pos', 'gen' || i, 100 + i, 'RUB', 0, 0, $4::timestamptz + i * interval '1 second'
		FROM generate_series(1, 2500) AS i`, f.cardA.ID, f.a.ID, f.central.ID, t0)
	n := 0
	err := f.db.StreamPurchases(t.Context(), 0, func(*domain.PurchaseExportRow) error {
		n++
		if n == 1 {
			// The server reports itself idle in the transaction right
			// after it sent the rows, which may be after the first one
			// is here: the session is looked for until it shows.
			var q string
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				err := f.db.Pool().QueryRow(t.Context(), `SELECT query FROM pg_stat_activity
					WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE 'FETCH%'`).Scan(&q)
				if err == nil {
					break
				}
			}
			if q != "FETCH FORWARD 1000 FROM export_purchases" {
				t.Errorf("the first row came from %q", q)
			}
		}
		return nil
	})
	if err != nil || n != 2505 {
		t.Fatalf("%d rows, %v", n, err)
	}
}
