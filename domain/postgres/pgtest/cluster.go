package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/loyaltybot/loyaltybot/domain/postgres"
	"github.com/loyaltybot/loyaltybot/domain/postgres/embedded"
)

// Cluster is a PostgreSQL server of one test's own, for fault tests that
// stop and start it: the binary's shared cluster serves every other test
// and must stay up. It listens on a TCP port of localhost as well as its
// socket, so its URL stays the same across restarts (the socket folder is
// new at every start) and a child process can reach it.
type Cluster struct {
	t    testing.TB
	dir  string
	port int
	c    *embedded.Cluster
}

// ClusterDB is the migrated database NewCluster makes.
const ClusterDB = "loyaltybot"

// NewCluster starts a private cluster (a copy of the seed cluster, so no
// initdb) with database ClusterDB migrated. It is stopped and removed in
// t.Cleanup.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	root, err := os.MkdirTemp("", dirPrefix+"private-")
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	// The server runs as the postgres user when we are root.
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	c := &Cluster{t: t, dir: filepath.Join(root, "data"), port: freePort(t)}
	t.Cleanup(func() {
		if c.c != nil {
			c.c.Stop()
		}
		os.RemoveAll(root)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	seed, err := seedCluster(ctx)
	if err != nil {
		seed = "" // initdb then
	}
	if err := embedded.Init(ctx, embedded.Options{Dir: c.dir, Fast: true, SeedDir: seed}); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	c.Start()
	if err := c.c.EnsureDatabase(ctx, ClusterDB); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	pool, err := pgxpool.New(ctx, c.URL())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer pool.Close()
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatalf("pgtest: migrate: %v", err)
	}
	return c
}

// freePort asks the kernel for a free TCP port. Another process could
// take it before the server binds it; on a test machine that is rare, and
// Start then fails loudly rather than talking to a stranger.
func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// URL is the database ClusterDB over TCP; it is the same after a restart.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, ClusterDB)
}

// Stop shuts the server down as an operator would (fast shutdown: open
// sessions are ended, then a checkpoint), and waits for it to exit.
func (c *Cluster) Stop() {
	c.t.Helper()
	if c.c == nil {
		c.t.Fatal("pgtest: Stop of a stopped cluster")
	}
	err := c.c.Stop()
	c.c = nil
	if err != nil {
		c.t.Fatalf("pgtest: %v", err)
	}
}

// Start starts the stopped server again on the same data and port, and
// waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	if c.c != nil {
		c.t.Fatal("pgtest: Start of a running cluster")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var err error
	c.c, err = embedded.Start(ctx, embedded.Options{Dir: c.dir, Fast: true, Port: c.port})
	if err != nil {
		c.t.Fatalf("pgtest: start private cluster: %v", err)
	}
}
