package pgtest_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestNewDBIsMigratedAndPrivate(t *testing.T) {
	t.Parallel()
	a, b := pgtest.NewPool(t), pgtest.NewPool(t)
	if _, err := a.Exec(t.Context(), `INSERT INTO stores (code, name, timezone, created_at) VALUES ('x', 'X', 'UTC', now())`); err != nil {
		t.Fatalf("the migrated schema is missing: %v", err)
	}
	var n int
	if err := b.QueryRow(t.Context(), `SELECT count(*) FROM stores`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("another test's database sees %d stores (err %v), want 0", n, err)
	}
}

func TestNewEmptyDBHasNoSchema(t *testing.T) {
	t.Parallel()
	conn, err := pgx.Connect(t.Context(), pgtest.NewEmptyDB(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var n int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d tables in public (err %v), want 0", n, err)
	}
}

func TestDatabaseIsDroppedInCleanup(t *testing.T) {
	t.Parallel()
	var url string
	t.Run("user", func(t *testing.T) { url = pgtest.NewDB(t) })
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = "postgres"
	conn, err := pgx.ConnectConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var name string
	u, _ := pgx.ParseConfig(url)
	err = conn.QueryRow(t.Context(), `SELECT datname FROM pg_database WHERE datname = $1`, u.Database).Scan(&name)
	if err != pgx.ErrNoRows {
		t.Fatalf("database %s still there after cleanup (err %v)", u.Database, err)
	}
}

// BenchmarkNewDB measures the cost of a fresh database for a test.
func BenchmarkNewDB(b *testing.B) {
	pgtest.NewDB(b) // the cluster and template, once
	for b.Loop() {
		pgtest.NewDB(b)
	}
}

// TestClusterRestarts: a private cluster keeps its URL and its data across
// a stop and a start, and refuses connections while stopped.
func TestClusterRestarts(t *testing.T) {
	t.Parallel()
	c := pgtest.NewCluster(t)
	ctx := t.Context()
	exec := func(sql string) error {
		conn, err := pgx.Connect(ctx, c.URL())
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec(`INSERT INTO stores (code, name, timezone, created_at) VALUES ('x', 'X', 'UTC', now())`); err != nil {
		t.Fatalf("the private database is not migrated: %v", err)
	}
	c.Stop()
	if err := exec(`SELECT 1`); err == nil {
		t.Fatal("a stopped cluster answers")
	}
	c.Start()
	if err := exec(`DO $$ BEGIN IF (SELECT count(*) FROM stores WHERE code = 'x') <> 1 THEN RAISE 'lost'; END IF; END $$`); err != nil {
		t.Fatalf("after the restart: %v", err)
	}
}
