// Package embedded runs a private PostgreSQL cluster from the local
// PostgreSQL install: the default database of `loyaltybot playground` and of
// `loyaltybot serve` without DATABASE_URL, and the database of the tests.
//
// The cluster lives in a data folder (created with initdb on first use and
// reused afterwards) and listens on a unix socket in a short private folder
// under /tmp. When the process runs as root, initdb and the server run as the
// `postgres` OS user, since PostgreSQL refuses to run as root. The server is
// a child process that shuts down when its parent dies.
package embedded

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNotInstalled is returned (wrapped) by Start when no PostgreSQL binaries
// are found.
var ErrNotInstalled = errors.New("PostgreSQL is not installed: apt-get install -y postgresql")

// ErrAlreadyRunning is returned (wrapped) by Start when another live server
// already uses the data folder.
var ErrAlreadyRunning = errors.New("PostgreSQL cluster is already running")

// ErrUnreachable means the data folder sits under a folder the server's
// user (postgres, when running as root) cannot enter.
var ErrUnreachable = errors.New("data folder not reachable")

// LogFile is the name of the server log inside the data folder.
const LogFile = "postgres.log"

// maxLogSize is the size past which Start moves LogFile to LogFile+".old".
const maxLogSize = 16 << 20

// superuser is the role initdb creates and URL connects as.
const superuser = "postgres"

// socketPrefix names the socket folders in the temp folder.
const socketPrefix = "loyaltybot-pgsock-"

// maxSocketPath is the longest unix socket path the kernel accepts
// (sizeof(sun_path) - 1).
const maxSocketPath = 107

// Options configures Start and Init.
type Options struct {
	// Dir is the data folder, e.g. "./.loyaltybot/pg". It is created with
	// initdb (UTF8, locale C, trust auth) on first use and reused after.
	Dir string
	// Logger receives progress and timing messages; nil discards them.
	Logger *slog.Logger
	// Fast trades durability for speed, for tests: initdb --no-sync, and
	// the server runs with fsync, full_page_writes and synchronous_commit
	// off. A crash may corrupt such a cluster.
	Fast bool
	// SeedDir, when set, names a stopped cluster (made by Init) that is
	// copied into Dir instead of running initdb, which is much faster. It
	// must come from the same PostgreSQL version.
	SeedDir string
	// Port, when not 0, also makes the server listen on TCP localhost:Port.
	// With 0 (the default) it listens on its unix socket only.
	Port int
}

// Cluster is a running server started by Start.
type Cluster struct {
	dir     string
	sockDir string
	port    int
	log     *slog.Logger

	proc     *os.Process
	exited   chan struct{} // closed when the server process has exited
	waitErr  error         // valid once exited is closed
	stopOnce sync.Once
	stopErr  error
}

// Start creates the cluster in o.Dir if it does not exist yet, starts the
// server and waits until it accepts connections. A postmaster.pid left by a
// crashed server is removed; a server that is still alive on the same folder
// makes Start fail with ErrAlreadyRunning.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	if o.Port < 0 || o.Port > 65535 {
		return nil, fmt.Errorf("embedded postgres: bad port %d", o.Port)
	}
	dir, bin, owner, log, err := initCluster(ctx, o)
	if err != nil {
		return nil, err
	}
	if err := checkPidFile(dir, log); err != nil {
		return nil, err
	}

	// After a crash, the dead server's children may hold its shared memory
	// for a moment; the new server then refuses to start. Retry a little.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := startOnce(ctx, o, dir, bin, owner, log)
		if err == nil || !errors.Is(err, errShmemInUse) || time.Now().After(deadline) {
			return c, err
		}
		log.Warn("embedded postgres: the previous server's processes are still exiting; retrying")
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// errShmemInUse marks a start that failed because processes of a dead
// server still hold its shared memory.
var errShmemInUse = errors.New("shared memory of a previous server still in use")

func startOnce(ctx context.Context, o Options, dir, bin string, owner *osUser, log *slog.Logger) (*Cluster, error) {
	sockDir, err := makeSocketDir(owner)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, sockDir: sockDir, port: o.Port, log: log, exited: make(chan struct{})}
	if c.port == 0 {
		c.port = 5432 // only names the socket file; nothing listens on TCP
	}
	var logStart int64
	if st, err := os.Stat(filepath.Join(dir, LogFile)); err == nil {
		logStart = st.Size()
	}
	t0 := time.Now()
	if err := c.startServer(bin, owner, o); err != nil {
		os.RemoveAll(sockDir)
		return nil, err
	}
	if err := c.waitReady(ctx); err != nil {
		c.Stop()
		if b, rerr := os.ReadFile(filepath.Join(dir, LogFile)); rerr == nil && int64(len(b)) >= logStart &&
			bytes.Contains(b[logStart:], []byte("pre-existing shared memory block")) {
			err = fmt.Errorf("%w: %w", errShmemInUse, err)
		}
		return nil, err
	}
	log.Info("embedded postgres: started", "dir", dir, "socket", sockDir, "took", time.Since(t0).Round(time.Millisecond))
	return c, nil
}

// Init creates the cluster in o.Dir (initdb, or a copy of o.SeedDir) unless
// one is there already, without starting it.
func Init(ctx context.Context, o Options) error {
	_, _, _, _, err := initCluster(ctx, o)
	return err
}

func initCluster(ctx context.Context, o Options) (dir, bin string, owner *osUser, log *slog.Logger, err error) {
	log = o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if o.Dir == "" {
		return "", "", nil, nil, errors.New("embedded postgres: Options.Dir is empty")
	}
	if dir, err = filepath.Abs(o.Dir); err != nil {
		return "", "", nil, nil, fmt.Errorf("embedded postgres: %w", err)
	}
	if bin, err = BinDir(); err != nil {
		return "", "", nil, nil, err
	}
	if owner, err = serverUser(); err != nil {
		return "", "", nil, nil, err
	}
	if err = prepareDataDir(dir, owner); err != nil {
		return "", "", nil, nil, err
	}
	_, err = os.Stat(filepath.Join(dir, "PG_VERSION"))
	switch {
	case err == nil:
		return dir, bin, owner, log, nil
	case !errors.Is(err, os.ErrNotExist):
		return "", "", nil, nil, fmt.Errorf("embedded postgres: %w", err)
	}
	t0 := time.Now()
	if o.SeedDir != "" {
		if err = copyCluster(o.SeedDir, dir, owner); err != nil {
			return "", "", nil, nil, err
		}
		log.Info("embedded postgres: copied seed cluster", "dir", dir, "seed", o.SeedDir, "took", time.Since(t0).Round(time.Millisecond))
		return dir, bin, owner, log, nil
	}
	if err = initdb(ctx, bin, dir, owner, o.Fast); err != nil {
		return "", "", nil, nil, err
	}
	log.Info("embedded postgres: initdb done", "dir", dir, "took", time.Since(t0).Round(time.Millisecond))
	return dir, bin, owner, log, nil
}

// Dir returns the absolute path of the data folder.
func (c *Cluster) Dir() string { return c.dir }

// Done is closed when the server process exits, whether through Stop or
// because it died.
func (c *Cluster) Done() <-chan struct{} { return c.exited }

// SocketDir returns the folder holding the server's unix socket.
func (c *Cluster) SocketDir() string { return c.sockDir }

// URL returns a connection URL for database dbname as the superuser over the
// unix socket (also when Options.Port is set), usable by pgx.Connect and
// pgxpool.New. Append further parameters with "&".
func (c *Cluster) URL(dbname string) string { return socketURL(dbname, c.sockDir, c.port) }

func socketURL(dbname, sockDir string, port int) string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s&port=%d&sslmode=disable",
		superuser, pathEscape(dbname), sockDir, port)
}

// ErrNotRunning is returned (wrapped) by RunningURL when no live server
// runs on the data folder.
var ErrNotRunning = errors.New("no PostgreSQL server is running on the data folder")

// RunningURL returns a URL, as Cluster.URL does, for database dbname on
// the server that another process (`loyaltybot serve`) started on the
// data folder dir, so an admin command can work beside it: the socket
// folder and port are the ones the server wrote in its postmaster.pid.
func RunningURL(dir, dbname string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("embedded postgres: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("embedded postgres: %w in %s", ErrNotRunning, dir)
	}
	if err != nil {
		return "", fmt.Errorf("embedded postgres: %w", err)
	}
	// postmaster.pid: pid, data folder, start time, port, socket folder, …
	lines := strings.Split(string(b), "\n")
	if len(lines) < 5 {
		return "", fmt.Errorf("embedded postgres: %w in %s (postmaster.pid is incomplete: starting?)", ErrNotRunning, dir)
	}
	pid, err1 := strconv.Atoi(strings.TrimSpace(lines[0]))
	port, err2 := strconv.Atoi(strings.TrimSpace(lines[3]))
	sock := strings.TrimSpace(lines[4])
	if err1 != nil || err2 != nil || sock == "" || !processAlive(pid) || !isServerOf(pid, dir) {
		return "", fmt.Errorf("embedded postgres: %w in %s", ErrNotRunning, dir)
	}
	return socketURL(dbname, sock, port), nil
}

// EnsureDatabase creates database name unless it exists. It is safe to call
// concurrently for the same name.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("embedded postgres: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("embedded postgres: look up database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	// 42P04 duplicate_database, 23505 unique_violation: a concurrent caller won.
	if errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505") {
		return nil
	}
	if err != nil {
		return fmt.Errorf("embedded postgres: create database %q: %w", name, err)
	}
	c.log.Info("embedded postgres: created database", "name", name)
	return nil
}

// Stop shuts the server down (fast shutdown: open sessions are ended, then a
// checkpoint) and waits for it to exit. Calling it again returns the first
// result.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.stopErr = c.stop()
		os.RemoveAll(c.sockDir)
	})
	return c.stopErr
}

func (c *Cluster) stop() error {
	select {
	case <-c.exited:
		return fmt.Errorf("embedded postgres: server had already exited: %v%s", c.waitErr, c.logTail())
	default:
	}
	steps := []struct {
		sig  syscall.Signal
		wait time.Duration
	}{
		{syscall.SIGINT, 60 * time.Second},  // fast shutdown
		{syscall.SIGQUIT, 10 * time.Second}, // immediate shutdown
		{syscall.SIGKILL, 10 * time.Second},
	}
	for _, s := range steps {
		if err := c.proc.Signal(s.sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("embedded postgres: stop: %w", err)
		}
		select {
		case <-c.exited:
			if s.sig != syscall.SIGINT {
				return fmt.Errorf("embedded postgres: server ignored fast shutdown, sent %v", s.sig)
			}
			c.log.Info("embedded postgres: stopped", "dir", c.dir)
			return nil
		case <-time.After(s.wait):
		}
	}
	return errors.New("embedded postgres: server did not exit")
}

// startServer starts the postgres binary directly as a child process; its
// output goes to LogFile in the data folder.
func (c *Cluster) startServer(bin string, owner *osUser, o Options) error {
	logPath := filepath.Join(c.dir, LogFile)
	if st, err := os.Stat(logPath); err == nil && st.Size() > maxLogSize {
		_ = os.Rename(logPath, logPath+".old") // keep one previous log
	}
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("embedded postgres: open log: %w", err)
	}
	if owner != nil {
		_ = logf.Chown(owner.uid, owner.gid)
	}
	listen := ""
	if o.Port != 0 {
		listen = "localhost"
	}
	args := []string{
		"-D", c.dir,
		"-k", c.sockDir,
		"-p", strconv.Itoa(c.port),
		"-c", "listen_addresses=" + listen,
		"-c", "max_connections=200",
		"-c", "shared_buffers=128MB",
		"-c", "logging_collector=off",
		"-c", "log_destination=stderr",
	}
	if o.Fast {
		args = append(args, "-F",
			"-c", "synchronous_commit=off",
			"-c", "full_page_writes=off")
	} else {
		// A committing transaction that finds two others running waits
		// 0.2 ms before it flushes the WAL, so one fsync carries more
		// commits: under the chat load, 0.67 WAL syncs per update
		// instead of 1.07, and PostgreSQL's CPU per update 4 % less
		// (its share against the bot's, three alternated runs). A shop's
		// ordinary traffic, a transaction at a time, never waits.
		args = append(args,
			"-c", "commit_delay=200",
			"-c", "commit_siblings=2")
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.Dir = c.dir
	cmd.Env = childEnv()
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = serverProcAttr(owner)

	// With Pdeathsig, the kernel signals the child when the thread that
	// forked it ends, so fork from a locked thread that lives until the
	// server exits.
	started := make(chan error, 1)
	go func() {
		lockThread()
		err := cmd.Start()
		logf.Close()
		started <- err
		if err != nil {
			return
		}
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("embedded postgres: start server: %w", err)
	}
	c.proc = cmd.Process
	return nil
}

// waitReady polls the socket until the server accepts connections.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	url := c.URL("postgres") + "&connect_timeout=5"
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("embedded postgres: %w", err)
	}
	for {
		conn, err := pgconn.ConnectConfig(ctx, cfg)
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-c.exited:
			return fmt.Errorf("embedded postgres: server exited during start: %v%s", c.waitErr, c.logTail())
		case <-ctx.Done():
			return fmt.Errorf("embedded postgres: server not ready: %w (last error: %v)%s", ctx.Err(), err, c.logTail())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// logTail returns the end of the server log, to explain a failure.
func (c *Cluster) logTail() string {
	b, err := os.ReadFile(filepath.Join(c.dir, LogFile))
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\nserver log (" + filepath.Join(c.dir, LogFile) + "):\n" + string(bytes.TrimSpace(b))
}
