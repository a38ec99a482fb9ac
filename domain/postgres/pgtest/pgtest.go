// Package pgtest gives each test a fresh, migrated PostgreSQL database.
//
// One throwaway cluster per test binary is started on first use (fsync off,
// unix socket only, in its own temp folder, so test binaries running in
// parallel never share one). Its data folder is a copy of a seed cluster
// that the first binary makes with initdb and later ones reuse. The migrations are applied
// once to a template database, and every NewDB copies it with CREATE
// DATABASE … TEMPLATE, which is cheap; the copy is dropped in t.Cleanup.
//
// A package that uses pgtest stops the cluster and removes its folder after
// its tests by calling Main from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Without it, the server still shuts down when the test binary exits (it
// gets a parent-death signal), but its folder is left in the temp folder
// until a later run clears it.
//
// A missing PostgreSQL install fails the tests that need it, never skips them.
package pgtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/embedded"
)

// Template is the database holding the migrated schema that NewDB copies.
const Template = "tmpl"

// dirPrefix names the per-binary folders in the temp folder.
const dirPrefix = "loyaltybot-pgtest-"

// seedPrefix names the initdb'd clusters shared by all test binaries.
const seedPrefix = "loyaltybot-pgseed-"

var (
	once     sync.Once
	setupErr error
	rootDir  string
	cluster  *embedded.Cluster
	admin    *pgxpool.Pool // connected to the postgres database
	seq      atomic.Int64
)

// Main runs the tests of m, then stops the cluster (if a test started it)
// and removes its folder, and exits with the tests' status. Call it from
// TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if err := shutdown(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
	}
	os.Exit(code)
}

// NewDB returns the URL of a fresh database for this test, with every
// migration applied. It is dropped in t.Cleanup.
func NewDB(t testing.TB) string {
	t.Helper()
	return newDB(t, "t", Template)
}

// NewEmptyDB returns the URL of a fresh database with no migrations applied
// (for tests of the migrations themselves). It is dropped in t.Cleanup.
func NewEmptyDB(t testing.TB) string {
	t.Helper()
	return newDB(t, "e", "template0")
}

// NewPool is NewDB and pgxpool.New; the pool is closed in t.Cleanup, before
// the database is dropped.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := NewDB(t)
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func newDB(t testing.TB, prefix, template string) string {
	t.Helper()
	once.Do(func() { setupErr = setup() })
	if setupErr != nil {
		t.Fatalf("pgtest: %v", setupErr)
	}
	name := fmt.Sprintf("%s_%d", prefix, seq.Add(1))
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := admin.Exec(t.Context(), `CREATE DATABASE `+ident+` TEMPLATE `+pgx.Identifier{template}.Sanitize()); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, `DROP DATABASE `+ident+` WITH (FORCE)`); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return cluster.URL(name)
}

// setup starts this binary's cluster and builds the template database.
func setup() (err error) {
	clearStale()
	rootDir, err = os.MkdirTemp("", dirPrefix)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			shutdown()
		}
	}()
	// MkdirTemp makes the folder 0700; when we are root the server runs as
	// the postgres user, which must reach the data folder inside.
	if err := os.Chmod(rootDir, 0o755); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	seed, err := seedCluster(ctx)
	if err != nil {
		seed = "" // initdb then
	}
	cluster, err = embedded.Start(ctx, embedded.Options{Dir: filepath.Join(rootDir, "data"), Fast: true, SeedDir: seed})
	if err != nil {
		return err
	}
	if err := cluster.EnsureDatabase(ctx, Template); err != nil {
		return err
	}
	pool, err := pgxpool.New(ctx, cluster.URL(Template))
	if err != nil {
		return err
	}
	err = postgres.Migrate(ctx, pool)
	pool.Close()
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	admin, err = pgxpool.New(ctx, cluster.URL("postgres"))
	if err != nil {
		return err
	}
	// No session may stay in the template, or CREATE DATABASE … TEMPLATE
	// fails with "source database is being accessed by other users".
	_, err = admin.Exec(ctx, `ALTER DATABASE `+pgx.Identifier{Template}.Sanitize()+` WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`)
	return err
}

func shutdown() error {
	var err error
	if admin != nil {
		admin.Close()
	}
	if cluster != nil {
		err = cluster.Stop()
	}
	if rootDir != "" {
		os.RemoveAll(rootDir)
	}
	return err
}

// seedCluster returns a stopped, freshly initdb'd cluster in the temp
// folder that every test binary copies instead of running initdb (which
// takes a second idle and much longer on a busy machine). The first binary
// to need it makes it, under a file lock; its name depends on the
// PostgreSQL install and the user, so an upgrade gets a new one.
func seedCluster(ctx context.Context) (string, error) {
	bin, err := embedded.BinDir()
	if err != nil {
		return "", err
	}
	st, err := os.Stat(filepath.Join(bin, "postgres"))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%d|%d|%d", bin, st.Size(), st.ModTime().UnixNano(), os.Geteuid()))
	seed := filepath.Join(os.TempDir(), seedPrefix+hex.EncodeToString(sum[:6]))
	data := filepath.Join(seed, "data")
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err == nil {
		return data, nil
	}

	lock, err := os.OpenFile(seed+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err == nil {
		return data, nil // made while we waited for the lock
	}
	os.RemoveAll(seed) // a broken leftover
	tmp, err := os.MkdirTemp(os.TempDir(), seedPrefix+"tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	if err := embedded.Init(ctx, embedded.Options{Dir: filepath.Join(tmp, "data"), Fast: true}); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, seed); err != nil {
		return "", err
	}
	return data, nil
}

// clearStale removes the folders of earlier test binaries that ended
// without Main (their server is gone: no postmaster.pid) and unfinished
// seeds, when they are over an hour old.
func clearStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	tmps, _ := filepath.Glob(filepath.Join(os.TempDir(), seedPrefix+"tmp-*"))
	for _, d := range append(dirs, tmps...) {
		st, err := os.Stat(d)
		if err != nil || !st.IsDir() || time.Since(st.ModTime()) < time.Hour {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "data", "postmaster.pid")); os.IsNotExist(err) {
			os.RemoveAll(d)
		}
	}
}
