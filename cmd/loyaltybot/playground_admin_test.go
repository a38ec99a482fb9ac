package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/loyaltybot/loyaltybot/domain/postgres/pgtest"
)

// startPlayground runs `playground` on env until the test ends and
// returns its base URL.
func startPlayground(t *testing.T, env func(string) string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"playground"}, args...), env, stdout, stderr) }()
	t.Cleanup(func() { cancel(); <-done })
	return "http://" + waitFor(t, stdout, regexp.MustCompile(`open http://(\S+)`), stderr)
}

func reachableDir(t *testing.T) string {
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o755)
	return dir
}

func post(t *testing.T, url, body string) string {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// waitChat waits until chat id's JSON matches re.
func waitChat(t *testing.T, base string, id string, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var body []byte
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/api/chats/" + id)
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if re.Match(body) {
			return string(body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("chat %s never matched %q:\n%s", id, re, body)
	return ""
}

// An owner who moved the playground's clock on and then invites a cashier
// with `invite --playground` (the README's admin command) gets a link the
// playground calls expired: the invitation is dated by the wall clock.
func TestPlaygroundInviteAfterClockMoved(t *testing.T) {
	env := envFunc(map[string]string{"LOYALTYBOT_DATA": reachableDir(t), "HTTP_ADDR": "127.0.0.1:0"})
	base := startPlayground(t, env)
	post(t, base+"/api/play/clock", `{"by": "4d"}`)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"invite", "--role", "cashier", "--store", "central", "--playground"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	link := strings.TrimSpace(out.String())
	token := link[strings.LastIndex(link, "start=")+len("start="):]
	post(t, base+"/api/chats/101/text", `{"text": "/start `+token+`"}`)
	body := waitChat(t, base, "101", regexp.MustCompile(`"from_bot":true`))
	if strings.Contains(body, "expired") || strings.Contains(body, "истёк") {
		t.Fatalf("a fresh invitation made with --playground is already expired in the playground:\n%s", body)
	}
}

// `playground --reset` beside a running playground on the same folder
// deletes the running cluster's files: the running playground then fails
// every query ("could not open file base/…").
func TestPlaygroundResetBesideARunningOne(t *testing.T) {
	env := envFunc(map[string]string{"LOYALTYBOT_DATA": reachableDir(t), "HTTP_ADDR": "127.0.0.1:0"})
	base := startPlayground(t, env)
	post(t, base+"/api/chats/101/text", `{"text": "/start s_central"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Coffee`))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stdout := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"playground", "--reset"}, env, stdout, io.Discard) }()
	var err error
	for wait := true; wait; {
		select {
		case err = <-done:
			wait = false
		case <-time.After(50 * time.Millisecond):
			if strings.Contains(stdout.String(), "open http") {
				cancel()
				err = <-done
				t.Errorf("--reset started a second playground on the folder of a running one (%v)", err)
				wait = false
			}
		}
	}
	if err == nil || !strings.Contains(err.Error(), "running") {
		t.Errorf("--reset beside a running playground: %v, want it refused", err)
	}
	resp, gerr := http.Get(base + "/api/play/chats/101")
	if gerr != nil {
		t.Fatal(gerr)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the running playground's panel after the --reset beside it: %d", resp.StatusCode)
	}
}

// Run as root from a folder the postgres user cannot reach (a clone under
// /root), the playground keeps its data in $TMPDIR/loyaltybot-playground;
// the README's admin commands with --playground look in
// $LOYALTYBOT_DATA/playground and fail.
func TestAdminCommandsFindTheFallbackPlayground(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the fallback is for root")
	}
	t.Setenv("TMPDIR", reachableDir(t))
	private := t.TempDir()
	os.Chmod(private, 0o700) // as /root is
	getenv := envFunc(map[string]string{"LOYALTYBOT_DATA": private, "HTTP_ADDR": "127.0.0.1:0"})
	startPlayground(t, getenv)
	if _, err := os.Stat(filepath.Join(playgroundFallbackDir(&env{DataDir: private}), "state.json")); err != nil {
		t.Fatalf("the playground did not fall back: %v", err)
	}
	var errOut bytes.Buffer
	if err := run(context.Background(), []string{"apikey", "create", "--store", "central", "--playground"}, getenv, io.Discard, &errOut); err != nil {
		t.Fatalf("apikey create --playground beside the running playground: %v\n%s", err, &errOut)
	}
}

// The README says the playground runs on "a private PostgreSQL cluster";
// with DATABASE_URL exported (as the README's serve section has the owner
// do), it runs on that database instead: it makes Telegram user 303 an
// owner of the real shop, and its clock, jobs and sender act on the real
// customers (their messages go to the fake Telegram).
func TestPlaygroundLeavesDatabaseURLAlone(t *testing.T) {
	shop := pgtest.NewDB(t) // the shop's real database
	env := envFunc(map[string]string{"LOYALTYBOT_DATA": reachableDir(t), "HTTP_ADDR": "127.0.0.1:0", "DATABASE_URL": shop})
	startPlayground(t, env)
	conn, err := pgx.Connect(context.Background(), shop)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM staff WHERE telegram_id = 303 AND role = 'owner'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("the playground made Telegram user 303 an owner in DATABASE_URL's database")
	}
}

// TestRestorePlaygroundLeavesDatabaseURLAlone: `restore FILE --playground`
// in a shell with DATABASE_URL exported restores into the playground's
// own cluster, as every --playground command goes there: not over the
// shop's database.
func TestRestorePlaygroundLeavesDatabaseURLAlone(t *testing.T) {
	shop := pgtest.NewDB(t)
	conn, err := pgx.Connect(context.Background(), shop)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `INSERT INTO staff (telegram_id, chat_id, first_name, role, created_at)
		VALUES (777, 777, 'Marker', 'owner', now())`); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "other.dump")
	if err := run(context.Background(), []string{"backup", "--out", file}, envFunc(map[string]string{"DATABASE_URL": pgtest.NewDB(t)}), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	env := envFunc(map[string]string{"LOYALTYBOT_DATA": reachableDir(t), "DATABASE_URL": shop})
	var errOut bytes.Buffer
	if err := run(context.Background(), []string{"restore", file, "--playground"}, env, io.Discard, &errOut); err != nil {
		t.Fatalf("restore --playground: %v\n%s", err, &errOut)
	}
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM staff WHERE telegram_id = 777`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the shop's database after restore --playground: %d marker rows (%v), want it untouched", n, err)
	}
}

// `backup --playground` tells how to restore the file; run as printed,
// that command must bring the playground back, not replace the shop's
// own database (DATABASE_URL) with the demo's.
func TestPlaygroundBackupHintRestoresThePlayground(t *testing.T) {
	shop := pgtest.NewDB(t)
	env := envFunc(map[string]string{"LOYALTYBOT_DATA": reachableDir(t), "HTTP_ADDR": "127.0.0.1:0", "DATABASE_URL": shop})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"apikey", "create", "--store", "central"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	shopKey := strings.Fields(strings.TrimSpace(out.String()))
	prefix := shopKey[len(shopKey)-1][:7]

	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"playground"}, env, stdout, stderr) }()
	base := "http://" + waitFor(t, stdout, regexp.MustCompile(`open http://(\S+)`), stderr)
	post(t, base+"/api/chats/101/text", `{"text": "/start s_central"}`)
	waitChat(t, base, "101", regexp.MustCompile(`Coffee`))

	file := filepath.Join(t.TempDir(), "play.dump")
	out.Reset()
	if err := run(context.Background(), []string{"backup", "--playground", "--out", file}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	// The apikey hints name the playground too.
	if err := run(context.Background(), []string{"apikey", "revoke", "lb_nokey", "--playground"}, env, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "`loyaltybot apikey list --playground`") {
		t.Errorf("apikey revoke of no key in the playground: %v", err)
	}
	cancel()
	<-done
	hint := regexp.MustCompile(`Restore it with: loyaltybot (.*)`).FindStringSubmatch(out.String())
	if hint == nil {
		t.Fatalf("backup --playground printed no restore command:\n%s", out.String())
	}
	out.Reset()
	var errOut bytes.Buffer
	if err := run(context.Background(), strings.Fields(hint[1]), env, &out, &errOut); err != nil {
		t.Fatalf("%s: %v\n%s", hint[1], err, errOut.String())
	}
	if !strings.Contains(out.String(), "playground") {
		t.Errorf("a restored playground's message %q does not send its owner back to the playground", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"apikey", "list"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), prefix) {
		t.Fatalf("the command backup --playground printed (%q) replaced the shop's database with the playground's: its key %s is gone\n%s", hint[1], prefix, out.String())
	}
}
