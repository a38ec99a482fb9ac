package main

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestRestoreIntoAnEmptyDatabase: a new server's database, never started:
// the backup is restored into it and migrated.
func TestRestoreIntoAnEmptyDatabase(t *testing.T) {
	file := dumpOf(t, pgtest.NewDB(t))
	url := pgtest.NewEmptyDB(t)
	env := envFunc(map[string]string{"DATABASE_URL": url})
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"restore", file}, env, &out, &errOut); err != nil {
		t.Fatalf("restore into an empty database: %v\n%s", err, errOut.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"apikey", "list"}, env, &out, &errOut); err != nil {
		t.Fatalf("apikey list after the restore: %v", err)
	}
}

// TestBackupOfAnEmptyDatabaseIsRefused: backup no longer migrates the
// database it dumps, so one the bot never ran on (or another database
// named by a wrong DATABASE_URL) would give a file that says "restore it
// with…" and that restore refuses as no loyaltybot backup. The backup
// says so at once instead, and leaves no file.
func TestBackupOfAnEmptyDatabaseIsRefused(t *testing.T) {
	url := pgtest.NewEmptyDB(t)
	env := envFunc(map[string]string{"DATABASE_URL": url})
	var out, errOut bytes.Buffer
	file := t.TempDir() + "/b.dump"
	err := run(context.Background(), []string{"backup", "--out", file}, env, &out, &errOut)
	if err == nil {
		t.Errorf("backup of an empty database succeeded: %s", out.String())
	}
	if _, serr := os.Stat(file); serr == nil {
		to := pgtest.NewDB(t)
		rerr := run(context.Background(), []string{"restore", file}, envFunc(map[string]string{"DATABASE_URL": to}), &out, &errOut)
		t.Errorf("a backup file was written; restoring it: %v", rerr)
	}
}
