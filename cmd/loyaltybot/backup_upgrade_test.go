package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// dumpOf writes a backup of the database at url as pg_dump does for
// `loyaltybot backup`.
func dumpOf(t *testing.T, url string) string {
	t.Helper()
	dump, err := pgTool("pg_dump")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "shop.dump")
	conn, _ := libpqURL(url)
	if out, err := exec.Command(dump, "--format=custom", "--no-owner", "--file="+file, "--dbname="+conn).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v: %s", err, out)
	}
	return file
}

func execSQL(t *testing.T, url, sql string) {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestRestoreAnOlderBackupMigratesIt: a backup made at migration 0071,
// before outbox.about_customer_id, purchases.returned_stamps and
// staff.version, restored by this binary comes up to its version and
// the admin commands work on it.
func TestRestoreAnOlderBackupMigratesIt(t *testing.T) {
	old := pgtest.NewDB(t)
	backToVersion71(t, old)
	file := dumpOf(t, old)

	url := pgtest.NewDB(t)
	env := envFunc(map[string]string{"DATABASE_URL": url})
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"restore", file}, env, &out, &errOut); err != nil {
		t.Fatalf("restore of a 0071 backup: %v\n%s", err, errOut.String())
	}
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var v, cols int
	if err := c.QueryRow(context.Background(), `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	want, _ := postgres.SchemaVersion()
	if v != want {
		t.Errorf("restored database at version %d, want %d", v, want)
	}
	c.QueryRow(context.Background(), `SELECT count(*) FROM information_schema.columns WHERE
		(table_name, column_name) IN (('outbox','about_customer_id'),('purchases','returned_stamps'),('staff','version'))`).Scan(&cols)
	if cols != 3 {
		t.Errorf("%d of the 3 new columns are there after the restore", cols)
	}
	out.Reset()
	if err := run(context.Background(), []string{"apikey", "create", "--store", "central"}, env, &out, &errOut); err != nil {
		t.Fatalf("apikey create on the restored database: %v", err)
	}
}

// TestRestoreRollsBackAnUpgrade: the owner upgraded (the new binary
// applied its migrations), something is wrong, and she goes back: the
// old binary and the backup made before the upgrade. The restore
// replaces the whole database, so the newer schema it replaces must not
// stop it.
func TestRestoreRollsBackAnUpgrade(t *testing.T) {
	url := pgtest.NewDB(t)
	env := envFunc(map[string]string{"DATABASE_URL": url})
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"apikey", "create", "--store", "central"}, env, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	before := strings.TrimSpace(out.String())
	file := dumpOf(t, url)

	// The upgrade: a newer binary's migration.
	execSQL(t, url, `CREATE TABLE future_things (id int);
		INSERT INTO schema_migrations (version, name) SELECT max(version) + 1, 'future.sql' FROM schema_migrations`)

	out.Reset()
	errOut.Reset()
	if err := run(ctx, []string{"restore", file}, env, &out, &errOut); err != nil {
		t.Fatalf("restore of the pre-upgrade backup with the pre-upgrade binary: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"apikey", "list"}, env, &out, &errOut); err != nil {
		t.Fatalf("apikey list after the rollback: %v", err)
	}
	lines := strings.Split(before, "\n")
	if key := lines[len(lines)-1]; !strings.Contains(out.String(), key[:7]) {
		t.Errorf("the restored database lacks the key made before the backup:\n%s", out.String())
	}
}

// TestReplicasStartTogetherOnAnOlderDatabase: several processes start at
// once on a database at 0071: one applies 0072–0074 under the advisory
// lock, the others wait for it and find nothing to do; none fails.
func TestReplicasStartTogetherOnAnOlderDatabase(t *testing.T) {
	url := pgtest.NewDB(t)
	backToVersion71(t, url)
	env := envFunc(map[string]string{"DATABASE_URL": url})
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			args := []string{"migrate"}
			if i%2 == 1 {
				args = []string{"apikey", "list"} // migrates, then syncs the stores
			}
			var out, errOut bytes.Buffer
			errs <- run(context.Background(), args, env, &out, &errOut)
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Errorf("a process starting at once: %v", err)
		}
	}
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var n, v int
	c.QueryRow(context.Background(), `SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &v)
	if want, _ := postgres.SchemaVersion(); n != want || v != want {
		t.Errorf("schema_migrations: %d rows up to %d, want %d", n, v, want)
	}
}

// TestBackupBeforeAnUpgradeLeavesTheSchemaAlone: the owner has the new
// binary and, before switching to it, backs up with it beside the
// running (older) bot, as one does before an upgrade. The backup must
// be of the database as it is: not migrated first, which would change
// the running bot's schema under it (its next restart refused: "this
// binary knows only …") and leave no backup to go back to.
func TestBackupBeforeAnUpgradeLeavesTheSchemaAlone(t *testing.T) {
	url := pgtest.NewDB(t)
	backToVersion71(t, url)
	env := envFunc(map[string]string{"DATABASE_URL": url})
	file := filepath.Join(t.TempDir(), "before-upgrade.dump")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"backup", "--out", file}, env, &out, &errOut); err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut.String())
	}
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var v int
	c.QueryRow(context.Background(), `SELECT max(version) FROM schema_migrations`).Scan(&v)
	if v != 71 {
		t.Errorf("the backup migrated the running bot's database from 71 to %d", v)
	}
	pgRestore, err := pgTool("pg_restore")
	if err != nil {
		t.Fatal(err)
	}
	toc, _ := exec.Command(pgRestore, "--list", file).Output()
	if strings.Contains(string(toc), "outbox_about") {
		t.Errorf("the pre-upgrade backup holds the upgrade's schema (index outbox_about)")
	}
}

// backToVersion71 undoes migrations 0072–0078 on the database at url, as
// if the bot of version 71 had last run on it (0075 only respells data:
// applied again, it finds nothing to do).
func backToVersion71(t *testing.T, url string) {
	t.Helper()
	execSQL(t, url, `DROP INDEX outbox_about;
		ALTER TABLE outbox DROP COLUMN about_customer_id;
		DROP INDEX outbox_about_several;
		ALTER TABLE outbox DROP COLUMN about_customer_ids;
		ALTER TABLE purchases DROP COLUMN returned_stamps;
		ALTER TABLE staff DROP COLUMN version;
		ALTER TABLE staff DROP COLUMN unreachable_at;
		DROP INDEX broadcasts_promotion;
		ALTER TABLE broadcasts DROP COLUMN promotion;
		ALTER TABLE purchases DROP COLUMN lapsed_promotion;
		DROP INDEX outbox_moved_to;
		ALTER TABLE outbox DROP COLUMN moved_to;
		DROP INDEX outbox_about_feedback;
		ALTER TABLE outbox DROP COLUMN about_feedback_id;
		ALTER TABLE broadcasts DROP COLUMN cancelled_at;
		DROP INDEX broadcasts_audience_due;
		ALTER TABLE broadcasts DROP COLUMN audience_at;
		DROP INDEX outbox_answers_inquiry;
		DROP INDEX outbox_answers_feedback;
		ALTER TABLE outbox DROP COLUMN undelivered, DROP COLUMN answers_inquiry_id, DROP COLUMN answers_feedback_id;
		DELETE FROM schema_migrations WHERE version > 71`)
}
