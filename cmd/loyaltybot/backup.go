package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/embedded"
)

// backup writes the whole database to one file with pg_dump (custom
// format: compressed, read by pg_restore), beside the running bot: the
// dump is one consistent snapshot, and the bot keeps serving meanwhile.
func backup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "the file to write (default: loyaltybot-<date>-<time>.dump here)")
	pg := fs.Bool("playground", false, "back up the playground's database")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	if *out == "" {
		*out = "loyaltybot-" + time.Now().Format("2006-01-02-1504") + ".dump"
	}
	a, err := backupDB(ctx, getenv, stderr, *pg)
	if err != nil {
		return err
	}
	defer a.close()
	// Not migrated any more: a database the bot never ran on (or another
	// one, by a wrong DATABASE_URL) would make a file restore refuses.
	var ours bool
	if err := a.db.Pool().QueryRow(ctx, `SELECT to_regclass('public.schema_migrations') IS NOT NULL`).Scan(&ours); err != nil {
		return err
	}
	if !ours {
		return errors.New("nothing was backed up: the database holds no loyaltybot data (the bot never ran on it, or DATABASE_URL names another database)")
	}
	dump, err := pgTool("pg_dump")
	if err != nil {
		return err
	}
	conn, env := libpqURL(a.db.Pool().Config().ConnString())
	// A failed dump must not leave a file that looks like a backup. The
	// dump is every customer's personal data: readable by its owner only
	// from its first byte (pg_dump truncates the file and keeps its mode),
	// whatever the umask. A folder named in --out is made (the README's
	// cron line writes to backups/).
	partial := *out + ".partial"
	if dir := filepath.Dir(partial); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(partial, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	if err := os.Chmod(partial, 0o600); err != nil { // an old .partial kept its mode
		os.Remove(partial)
		return err
	}
	cmd := exec.CommandContext(ctx, dump, "--format=custom", "--no-owner", "--file="+partial, "--dbname="+conn)
	cmd.Env = append(os.Environ(), env...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Run(); err != nil {
		os.Remove(partial)
		return fmt.Errorf("pg_dump: %w: %s", err, strings.TrimSpace(errOut.String()))
	}
	if err := os.Rename(partial, *out); err != nil {
		os.Remove(partial)
		return err
	}
	st, err := os.Stat(*out)
	if err != nil {
		return err
	}
	// The restore printed must go where the backup came from: without
	// --playground it would replace the shop's database with the demo's.
	fmt.Fprintf(stdout, "Backed up the database (%.1f MB). Restore it with: loyaltybot restore %s%s\n", float64(st.Size())/1e6, *out, playgroundFlag(*pg))
	fmt.Fprintln(stdout, *out)
	return nil
}

// restore replaces the database's contents with a backup, in one
// transaction: everything in the schema is dropped and the backup's
// objects and rows are created in its place, or, on any error, nothing
// changes. Then the migrations bring an older backup up to this
// version. The bot must be stopped: on the embedded default the
// cluster must be free, and on DATABASE_URL no other session may be
// connected to the database.
func restore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pg := fs.Bool("playground", false, "restore into the playground's database")
	err := fs.Parse(args)
	file := fs.Arg(0)
	if err == nil { // the flags may follow the file, as the usage writes them
		err = fs.Parse(fs.Args()[min(1, fs.NArg()):])
	}
	if err != nil || fs.NArg() > 0 || file == "" {
		fmt.Fprintln(stderr, "usage: loyaltybot restore FILE [--playground]")
		return errUsage
	}
	if _, err := os.Stat(file); err != nil {
		return err
	}
	a, err := restoreDB(ctx, getenv, stderr, *pg)
	if err != nil {
		return err
	}
	defer a.close()
	dbURL := a.db.Pool().Config().ConnString()
	a.db.Close()
	if err := noOtherSessions(ctx, dbURL); err != nil {
		return err
	}
	pgRestore, err := pgTool("pg_restore")
	if err != nil {
		return err
	}
	psql, err := pgTool("psql")
	if err != nil {
		return err
	}
	if err := isOurBackup(ctx, pgRestore, file); err != nil {
		return err
	}
	if err := notNewer(ctx, pgRestore, file); err != nil {
		return err
	}
	conn, env := libpqURL(dbURL)
	// pg_restore turns the backup into SQL; psql runs it in one
	// transaction after emptying the schema, and commits only once
	// pg_restore has read the whole backup: a backup cut off half way
	// ends psql's input without COMMIT, and it rolls everything back.
	read := exec.CommandContext(ctx, pgRestore, "--no-owner", "--no-privileges", "--file=-", file)
	var readErr, writeErr bytes.Buffer
	read.Stderr = &readErr
	sql, err := read.StdoutPipe()
	if err != nil {
		return err
	}
	whole := &commitAfter{r: sql, wait: read.Wait}
	write := exec.CommandContext(ctx, psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1",
		"--output=/dev/null", "--dbname="+conn)
	write.Env = append(os.Environ(), env...)
	write.Stdin = io.MultiReader(strings.NewReader("BEGIN;\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n"), whole)
	write.Stderr = &writeErr
	if err := read.Start(); err != nil {
		return err
	}
	werr := write.Run()
	if !whole.waited {
		read.Process.Kill()
		read.Wait()
	}
	if whole.err != nil || werr != nil {
		msg := strings.TrimSpace(readErr.String() + "\n" + writeErr.String())
		return fmt.Errorf("nothing was changed: the backup could not be restored: %w: %s", errors.Join(whole.err, werr), msg)
	}
	// The backup may come from an older version: migrate it now.
	db, err := postgres.Open(ctx, dbURL, 2)
	if err != nil {
		return fmt.Errorf("restored, but the migrations failed: %w", err)
	}
	var members int64
	err = db.Pool().QueryRow(ctx, `SELECT count(*) FROM customers WHERE joined_at IS NOT NULL AND erased_at IS NULL`).Scan(&members)
	db.Close()
	if err != nil {
		return err
	}
	what := "the bot"
	if *pg {
		what = "the playground"
	}
	fmt.Fprintf(stdout, "Restored %s: %d members. Start %s again.\n", file, members, what)
	return nil
}

// backupDB opens the database for a backup: as adminDB (beside a running
// bot), but as it is, neither migrated nor synced with the config: a
// backup made with a new binary before switching to it is of the old
// version, and leaves the running bot's schema alone.
func backupDB(ctx context.Context, getenv func(string) string, stderr io.Writer, playground bool) (*app, error) {
	e, err := loadEnv(getenv, false)
	if err != nil {
		return nil, err
	}
	if playground {
		e.DatabaseURL = "" // the playground's own cluster, as adminDB
	}
	a := &app{env: e, log: newLogger(stderr, e), now: time.Now}
	a.db, a.cluster, err = openDB(ctx, e, a.log, pgDir(e, playground), a.now, true, postgres.WithoutMigrations())
	if err != nil {
		return nil, err
	}
	return a, nil
}

// restoreDB opens the database for a restore: as adminDB, but never
// beside a running bot on the embedded default.
func restoreDB(ctx context.Context, getenv func(string) string, stderr io.Writer, playground bool) (*app, error) {
	e, err := loadEnv(getenv, false)
	if err != nil {
		return nil, err
	}
	if playground {
		e.DatabaseURL = "" // the playground's own cluster, as adminDB: never a shop's database
	}
	a := &app{env: e, log: newLogger(stderr, e), now: time.Now}
	// Not migrated: the schema found is replaced, whatever its version
	// (a newer one when going back to the binary of an older backup).
	a.db, a.cluster, err = openDB(ctx, e, a.log, pgDir(e, playground), a.now, false, postgres.WithoutMigrations())
	if errors.Is(err, embedded.ErrAlreadyRunning) {
		return nil, fmt.Errorf("the bot is running on this database: stop it first (%w)", err)
	}
	return a, err
}

// sessionsGrace is how long a restore waits for other sessions to end:
// a server process outlives its client's goodbye by a moment, so a bot
// stopped just before the restore still shows.
const sessionsGrace = 2 * time.Second

// noOtherSessions refuses a restore while anyone else (a bot, a replica,
// a psql) is connected to the database, once sessionsGrace has passed.
func noOtherSessions(ctx context.Context, dbURL string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	deadline := time.Now().Add(sessionsGrace)
	for {
		var others int
		err = conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`).Scan(&others)
		switch {
		case err != nil:
			return err
		case others == 0:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("%d other sessions are connected to the database: stop the bot (every replica) first", others)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// isOurBackup reads the backup's table of contents: it must be a
// pg_dump archive holding this bot's tables.
func isOurBackup(ctx context.Context, pgRestore, file string) error {
	toc, err := exec.CommandContext(ctx, pgRestore, "--list", file).Output()
	if err != nil {
		return fmt.Errorf("%s is not a backup made by loyaltybot backup (pg_restore cannot read it): %w", file, err)
	}
	for _, table := range []string{"schema_migrations", "customers", "ledger"} {
		if !regexp.MustCompile(`(?m) TABLE (DATA )?public ` + table + ` `).Match(toc) {
			return fmt.Errorf("%s is not a loyaltybot backup: it has no %s table", file, table)
		}
	}
	return nil
}

// notNewer refuses, before anything changes, a backup made by a newer
// loyaltybot: its schema version (the highest row of its
// schema_migrations) is past the migrations this binary holds, and the
// restored database could not be served.
func notNewer(ctx context.Context, pgRestore, file string) error {
	out, err := exec.CommandContext(ctx, pgRestore, "--data-only", "--table=schema_migrations", "--file=-", file).Output()
	if err != nil {
		return fmt.Errorf("%s cannot be read whole (cut off?): %w; nothing was changed", file, err)
	}
	version, in := 0, false
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "COPY public.schema_migrations "):
			in = true
		case in && line == `\.`:
			in = false
		case in:
			first, _, _ := strings.Cut(line, "\t")
			if n, err := strconv.Atoi(first); err == nil && n > version {
				version = n
			}
		}
	}
	known, err := postgres.SchemaVersion()
	if err != nil {
		return err
	}
	if version > known {
		return fmt.Errorf("%s was made by a newer loyaltybot (schema version %d; this one knows %d): restore it with that version; nothing was changed", file, version, known)
	}
	return nil
}

// commitAfter reads r (pg_restore's SQL) and then, only if wait (the
// end of pg_restore) reports success, a COMMIT.
type commitAfter struct {
	r      io.Reader
	wait   func() error
	waited bool
	err    error
	tail   io.Reader
}

func (c *commitAfter) Read(p []byte) (int, error) {
	if c.tail != nil {
		return c.tail.Read(p)
	}
	n, err := c.r.Read(p)
	if err != io.EOF {
		return n, err
	}
	c.waited, c.err = true, c.wait()
	if c.err != nil {
		return n, io.EOF // no COMMIT: psql's session ends, and rolls back
	}
	c.tail = strings.NewReader("COMMIT;\n")
	return n, nil
}

// pgTool finds a PostgreSQL client program: in the install the embedded
// cluster uses (the newest), else on PATH.
func pgTool(name string) (string, error) {
	if dir, err := embedded.BinDir(); err == nil {
		if p := filepath.Join(dir, name); isFile(p) {
			return p, nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found: apt-get install -y postgresql-client", name)
	}
	return p, nil
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// pgxOnly are DATABASE_URL parameters pgx reads and libpq refuses.
var pgxOnly = []string{"pool_max_conns", "pool_min_conns", "pool_min_idle_conns", "pool_max_conn_lifetime",
	"pool_max_conn_lifetime_jitter", "pool_max_conn_idle_time", "pool_health_check_period",
	"default_query_exec_mode", "statement_cache_capacity", "description_cache_capacity"}

// libpqURL makes a database URL fit for pg_dump and psql: without the
// parameters only pgx knows, and with the password moved out of the
// command line (which other users of the machine can read) into
// PGPASSWORD.
func libpqURL(dbURL string) (conn string, env []string) {
	u, err := url.Parse(dbURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return dbURL, nil // a keyword=value string: libpq's own
	}
	q := u.Query()
	for _, k := range pgxOnly {
		q.Del(k)
	}
	u.RawQuery = q.Encode()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	return u.String(), env
}
