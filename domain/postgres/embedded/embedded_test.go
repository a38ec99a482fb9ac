package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// dataDir returns a folder for a cluster under t.TempDir(). The testing
// package makes its temp folders 0700; open them so that the postgres user
// can reach the data folder when the tests run as root.
func dataDir(t *testing.T) string {
	t.Helper()
	tmp := t.TempDir()
	for _, d := range []string{filepath.Dir(tmp), tmp} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(tmp, "pg")
}

var (
	seedOnce sync.Once
	seedDir  string
	seedErr  error
)

// TestMain removes the seed cluster after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if seedDir != "" {
		os.RemoveAll(filepath.Dir(seedDir))
	}
	os.Exit(code)
}

// seed returns a cluster made once by Init (initdb) that the tests' clusters
// copy, so that the package runs initdb once.
func seed(t *testing.T) string {
	t.Helper()
	seedOnce.Do(func() {
		tmp, err := os.MkdirTemp("", "embedded-test-")
		if err == nil {
			err = os.Chmod(tmp, 0o755)
		}
		if err != nil {
			seedErr = err
			return
		}
		seedDir = filepath.Join(tmp, "seed")
		t0 := time.Now()
		seedErr = Init(context.Background(), Options{Dir: seedDir, Fast: true})
		t.Logf("Init (initdb) took %v", time.Since(t0).Round(time.Millisecond))
		if seedErr == nil {
			if _, err := os.Stat(filepath.Join(seedDir, "postmaster.pid")); err == nil {
				seedErr = errors.New("Init left a server running")
			}
		}
	})
	if seedErr != nil {
		t.Fatal(seedErr)
	}
	return seedDir
}

func start(t *testing.T, dir string) *Cluster {
	t.Helper()
	t0 := time.Now()
	c, err := Start(t.Context(), Options{Dir: dir, Fast: true, SeedDir: seed(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Start took %v", time.Since(t0).Round(time.Millisecond))
	t.Cleanup(func() { c.Stop() })
	return c
}

func connect(t *testing.T, c *Cluster, db string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), c.URL(db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestStartQueryStopRestart(t *testing.T) {
	t.Parallel()
	dir := dataDir(t)
	c := start(t, dir)

	// A second server on a folder in use is refused, the first unharmed.
	if _, err := Start(t.Context(), Options{Dir: dir, Fast: true}); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Start: got %v, want ErrAlreadyRunning", err)
	}

	t0 := time.Now()
	if err := c.EnsureDatabase(t.Context(), "app"); err != nil {
		t.Fatal(err)
	}
	t.Logf("EnsureDatabase (create) took %v", time.Since(t0).Round(time.Millisecond))
	if err := c.EnsureDatabase(t.Context(), "app"); err != nil {
		t.Fatalf("EnsureDatabase on an existing database: %v", err)
	}
	conn := connect(t, c, "app")
	var enc, ctype string
	if err := conn.QueryRow(t.Context(), `SELECT pg_encoding_to_char(encoding), datctype FROM pg_database WHERE datname = current_database()`).Scan(&enc, &ctype); err != nil {
		t.Fatal(err)
	}
	if enc != "UTF8" || ctype != "C" {
		t.Errorf("encoding %s, ctype %s; want UTF8, C", enc, ctype)
	}
	var maxConns string
	if err := conn.QueryRow(t.Context(), `SHOW max_connections`).Scan(&maxConns); err != nil {
		t.Fatal(err)
	}
	if maxConns != "200" {
		t.Errorf("max_connections = %s, want 200", maxConns)
	}
	if _, err := conn.Exec(t.Context(), `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')`); err != nil {
		t.Fatal(err)
	}
	conn.Close(t.Context())

	// Another process (an admin command beside `serve`) reaches the
	// running server through the socket its postmaster.pid names.
	url, err := RunningURL(dir, "app")
	if err != nil {
		t.Fatalf("RunningURL while it runs: %v", err)
	}
	beside, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect by RunningURL %s: %v", url, err)
	}
	var kept string
	if err := beside.QueryRow(t.Context(), `SELECT v FROM kept`).Scan(&kept); err != nil || kept != "survives" {
		t.Errorf("through RunningURL: %q, %v", kept, err)
	}
	beside.Close(t.Context())

	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := os.Stat(c.SocketDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket folder %s left behind: %v", c.SocketDir(), err)
	}
	if _, err := RunningURL(dir, "app"); !errors.Is(err, ErrNotRunning) {
		t.Errorf("RunningURL after Stop: %v, want ErrNotRunning", err)
	}
	if st, err := os.Stat(filepath.Join(dir, LogFile)); err != nil || st.Size() == 0 {
		t.Errorf("server log %s missing or empty: %v", LogFile, err)
	}

	c2 := start(t, dir)
	var v string
	if err := connect(t, c2, "app").QueryRow(t.Context(), `SELECT v FROM kept`).Scan(&v); err != nil {
		t.Fatalf("data did not survive a restart: %v", err)
	}
	if v != "survives" {
		t.Errorf("got %q", v)
	}
	if err := c2.Stop(); err != nil {
		t.Fatal(err)
	}

	// A stopped cluster seeds a new one: a copy instead of initdb.
	copyDir := filepath.Join(filepath.Dir(dir), "copy")
	c3, err := Start(t.Context(), Options{Dir: copyDir, SeedDir: dir, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c3.Stop() })
	if err := connect(t, c3, "app").QueryRow(t.Context(), `SELECT v FROM kept`).Scan(&v); err != nil || v != "survives" {
		t.Fatalf("the seeded cluster lacks the seed's data: %q, %v", v, err)
	}
}

func TestStalePidFileIsRecovered(t *testing.T) {
	t.Parallel()
	dir := dataDir(t)
	c := start(t, dir)
	if _, err := connect(t, c, "postgres").Exec(t.Context(),
		// Fast turns synchronous_commit off; this commit must reach the WAL.
		`SET synchronous_commit = on; CREATE TABLE kept (v int); INSERT INTO kept VALUES (1)`); err != nil {
		t.Fatal(err)
	}

	// A crash: the postmaster dies without removing postmaster.pid.
	if err := c.proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-c.exited
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); err != nil {
		t.Fatalf("expected a stale postmaster.pid: %v", err)
	}
	if _, err := RunningURL(dir, "postgres"); !errors.Is(err, ErrNotRunning) {
		t.Errorf("RunningURL after the crash: %v, want ErrNotRunning", err)
	}
	c2 := start(t, dir)
	var n int
	if err := connect(t, c2, "postgres").QueryRow(t.Context(), `SELECT count(*) FROM kept`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after crash recovery: n=%d err=%v", n, err)
	}
	if err := c2.Stop(); err != nil {
		t.Fatal(err)
	}

	// A stale file whose pid now belongs to an unrelated live process (us).
	stale := fmt.Sprintf("%d\n%s\n", os.Getpid(), dir)
	if err := os.WriteFile(filepath.Join(dir, "postmaster.pid"), []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := RunningURL(dir, "postgres"); !errors.Is(err, ErrNotRunning) {
		t.Errorf("RunningURL on a pid that is not a server: %v, want ErrNotRunning", err)
	}
	start(t, dir)
}

func TestUnreachableDataDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands the cluster to the postgres user")
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "pg") // t.TempDir() is 0700 root
	_, err := Start(t.Context(), Options{Dir: dir, Fast: true})
	if err == nil || !strings.Contains(err.Error(), "not reachable") {
		t.Fatalf("got %v, want a 'not reachable' error", err)
	}
}

func TestURLEscapesName(t *testing.T) {
	c := &Cluster{sockDir: "/tmp/s", port: 5432}
	got := c.URL("a b")
	want := "postgres://postgres@/a%20b?host=/tmp/s&port=5432&sslmode=disable"
	if got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
}
