package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// TestBackupAndRestore: a backup made while the database is in use
// brings back exactly what was there (a key made after it is gone, one
// revoked after it is live again); a restore is refused while another
// session is connected, and a broken backup changes nothing.
func TestBackupAndRestore(t *testing.T) {
	url := pgtest.NewDB(t)
	env := envFunc(map[string]string{"DATABASE_URL": url})
	ctx := context.Background()
	cli := func(args ...string) (string, error) {
		t.Helper()
		var out, errOut bytes.Buffer
		err := run(ctx, args, env, &out, &errOut)
		return out.String(), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := cli(args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out
	}
	lastLine := func(s string) string {
		lines := strings.Split(strings.TrimSpace(s), "\n")
		return lines[len(lines)-1]
	}
	before := lastLine(must("apikey", "create", "--store", "central"))

	// Backed up with a session open, as beside a running bot.
	busy, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "shop.dump")
	if got := lastLine(must("backup", "--out", file)); got != file {
		t.Fatalf("backup's last line %q, want the file", got)
	}
	if _, err := os.Stat(file + ".partial"); !os.IsNotExist(err) {
		t.Errorf("the partial file was left behind: %v", err)
	}
	after := lastLine(must("apikey", "create", "--store", "river"))
	must("apikey", "revoke", before[:7])

	if _, err := cli("restore", file); err == nil || !strings.Contains(err.Error(), "other sessions are connected") {
		t.Fatalf("restore with another session connected: %v, want it refused", err)
	}
	busy.Close(ctx)

	broken := filepath.Join(t.TempDir(), "broken.dump")
	b, _ := os.ReadFile(file)
	os.WriteFile(broken, b[:len(b)*99/100], 0o600) // the table of contents whole, the last table's rows cut off
	if _, err := cli("restore", broken); err == nil || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("restore of a cut-off backup: %v", err)
	}
	if list := must("apikey", "list"); !strings.Contains(list, after[:7]) {
		t.Fatalf("the failed restore changed the database:\n%s", list)
	}

	// Another application's dump is refused before anything is touched.
	other := pgtest.NewEmptyDB(t)
	if c, err := pgx.Connect(ctx, other); err != nil {
		t.Fatal(err)
	} else {
		_, err = c.Exec(ctx, `CREATE TABLE orders (id int); INSERT INTO orders VALUES (1)`)
		c.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
	}
	dump, err := pgTool("pg_dump")
	if err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(t.TempDir(), "foreign.dump")
	conn, _ := libpqURL(other)
	if out, err := exec.Command(dump, "--format=custom", "--file="+foreign, "--dbname="+conn).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v: %s", err, out)
	}
	if _, err := cli("restore", foreign); err == nil || !strings.Contains(err.Error(), "not a loyaltybot backup") {
		t.Fatalf("restore of another application's dump: %v", err)
	}

	// A backup of a newer version is refused before anything changes.
	newer := pgtest.NewDB(t)
	if c, err := pgx.Connect(ctx, newer); err != nil {
		t.Fatal(err)
	} else {
		_, err = c.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')`)
		c.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
	}
	future := filepath.Join(t.TempDir(), "future.dump")
	conn, _ = libpqURL(newer)
	if out, err := exec.Command(dump, "--format=custom", "--file="+future, "--dbname="+conn).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v: %s", err, out)
	}
	if _, err := cli("restore", future); err == nil || !strings.Contains(err.Error(), "made by a newer loyaltybot (schema version 9999") {
		t.Fatalf("restore of a newer version's backup: %v", err)
	}
	if list := must("apikey", "list"); !strings.Contains(list, after[:7]) {
		t.Fatalf("the refused restore changed the database:\n%s", list)
	}

	if out := must("restore", file); !strings.Contains(out, "Restored") {
		t.Fatalf("restore: %s", out)
	}
	list := must("apikey", "list")
	if strings.Contains(list, after[:7]) {
		t.Errorf("the key made after the backup survived its restore:\n%s", list)
	}
	if !regexp.MustCompile(`(?m)^` + before[:7] + `\s+\S+\s+\S+\s+-$`).MatchString(list) {
		t.Errorf("the key revoked after the backup is not live again:\n%s", list)
	}
}

// TestRestoreCommitsOnlyAWholeBackup: the restore's input ends with
// COMMIT only when pg_restore, having written everything, succeeded.
func TestRestoreCommitsOnlyAWholeBackup(t *testing.T) {
	for _, c := range []struct {
		wait error
		want string
	}{{nil, "CREATE TABLE t;\nCOMMIT;\n"}, {errors.New("exit status 1"), "CREATE TABLE t;\n"}} {
		r := &commitAfter{r: strings.NewReader("CREATE TABLE t;\n"), wait: func() error { return c.wait }}
		got, err := io.ReadAll(r)
		if err != nil || string(got) != c.want || !r.waited || r.err != c.wait {
			t.Errorf("pg_restore ending with %v: read %q, %v (waited %v), want %q", c.wait, got, err, r.waited, c.want)
		}
	}
}

// TestBackupFileIsPrivate: a backup holds every customer's name, phone
// and history: under the usual umask 022 it must still not be readable
// by the machine's other users. A folder named in --out is made, as the
// README's cron line (backups/Mon.dump) needs on a fresh machine.
func TestBackupFileIsPrivate(t *testing.T) {
	url := pgtest.NewDB(t)
	env := envFunc(map[string]string{"DATABASE_URL": url})
	file := filepath.Join(t.TempDir(), "backups", "Mon.dump")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"backup", "--out", file}, env, &out, &errOut); err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut.String())
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		t.Fatalf("backup written with mode %#o: other users of the machine can read every customer's data", perm)
	}
}
