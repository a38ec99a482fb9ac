package bot_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/bottest"
)

// commitCutter is a TCP proxy in front of PostgreSQL's socket that, once
// armed, cuts the connection about to hear the COMMIT of a transaction
// that marked an update handled (finish_update): the server has
// committed, the bot never learns it. Other transactions (the background
// sender's claims commit too) pass. It reads both directions message by
// message (type byte, length; sslmode=disable, so no TLS), so it cuts
// exactly there.
type commitCutter struct {
	ln     net.Listener
	socket string
	armed  atomic.Bool
	cut    atomic.Int32
	stmt   atomic.Value // the name pgx prepared finish_update's statement under
}

// startCommitCutter listens on a local port for connections to the
// database at dsn (a unix socket URL, as pgtest gives) and returns the
// DSN that goes through it.
func startCommitCutter(t *testing.T, dsn string) (*commitCutter, string) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &commitCutter{ln: ln, socket: fmt.Sprintf("%s/.s.PGSQL.%s", q.Get("host"), q.Get("port"))}
	c.stmt.Store("")
	t.Cleanup(func() { ln.Close() })
	go c.serve()
	return c, fmt.Sprintf("postgres://%s@%s%s?sslmode=disable", u.User.Username(), ln.Addr(), u.Path)
}

func (c *commitCutter) serve() {
	for {
		client, err := c.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("unix", c.socket)
		if err != nil {
			client.Close()
			continue
		}
		var marks atomic.Bool // the transaction under way marks an update handled
		go c.requests(client, server, &marks)
		go c.answers(server, client, &marks)
	}
}

// message reads one protocol message: its type byte (none for the first
// message a client sends) and its body.
func message(r *bufio.Reader, typed bool) (head, body []byte, err error) {
	n := 4
	if typed {
		n = 5
	}
	head = make([]byte, n)
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, nil, err
	}
	body = make([]byte, binary.BigEndian.Uint32(head[n-4:])-4)
	_, err = io.ReadFull(r, body)
	return head, body, err
}

// requests forwards the client's messages, noting a Parse of
// finish_update or a Bind of its prepared statement.
func (c *commitCutter) requests(client, server net.Conn, marks *atomic.Bool) {
	defer server.Close()
	r, w := bufio.NewReader(client), bufio.NewWriter(server)
	for typed := false; ; typed = true {
		head, body, err := message(r, typed)
		if err != nil {
			return
		}
		if typed {
			fields := bytes.Split(body, []byte{0})
			switch {
			case head[0] == 'P' && len(fields) > 1 && bytes.Contains(fields[1], []byte("finish_update")):
				c.stmt.Store(string(fields[0])) // "" for an unnamed statement: never matched below
				marks.Store(true)
			case head[0] == 'B' && len(fields) > 1 && len(fields[1]) > 0 && string(fields[1]) == c.stmt.Load().(string):
				marks.Store(true)
			}
		}
		w.Write(head) //nolint:errcheck // reported by Flush
		w.Write(body) //nolint:errcheck
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return
			}
		}
	}
}

// answers forwards the server's messages until, armed, the COMMIT of a
// transaction that marks an update handled completes.
func (c *commitCutter) answers(server, client net.Conn, marks *atomic.Bool) {
	defer client.Close()
	defer server.Close()
	r, w := bufio.NewReader(server), bufio.NewWriter(client)
	for {
		head, body, err := message(r, true)
		if err != nil {
			return
		}
		if head[0] == 'C' && (string(body) == "COMMIT\x00" || string(body) == "ROLLBACK\x00") {
			if marks.Swap(false) && string(body) == "COMMIT\x00" && c.armed.CompareAndSwap(true, false) {
				c.cut.Add(1)
				return
			}
		}
		w.Write(head) //nolint:errcheck // reported by Flush
		w.Write(body) //nolint:errcheck
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return
			}
		}
	}
}

// TestReplyOfACommitWhoseAnswerWasLost: the connection drops after
// PostgreSQL committed Anna's /start but before the bot heard so. The bot
// retries the update, finds it handled, and must still send the reply that
// transaction wrote, at once and once: it wrote the reply itself and holds
// it, so no other sender would send it before the hold's lease (a minute)
// ran out.
func TestReplyOfACommitWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	var cutter *commitCutter
	h := bottest.NewThrough(t, func(dsn string) string {
		var through string
		cutter, through = startCommitCutter(t, dsn)
		return through
	})
	anna := h.Chat(501, "Anna", "en")
	anna.Send("/start") // the welcome and the consent question
	before := len(anna.U.Messages())
	cutter.armed.Store(true)
	anna.U.SendText("/start")
	deadline := time.Now().Add(10 * time.Second)
	for len(anna.U.Messages()) == before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if cutter.cut.Load() != 1 {
		t.Fatalf("the proxy cut %d commits, want 1", cutter.cut.Load())
	}
	ms := anna.U.Messages()
	if len(ms) == before {
		t.Fatal("no reply within 10 s of a commit whose answer was lost: it waits out its hold")
	}
	h.Settle()
	// A second /start in the consent step picks up where Anna stopped:
	// as many messages as the first, the consent question last, once.
	ms = anna.U.Messages()
	if len(ms) != 2*before {
		t.Fatalf("%d replies to the second /start, want %d as to the first:\n%s", len(ms)-before, before, anna.Sync().Transcript())
	}
	if ms[len(ms)-1].Text != ms[before-1].Text {
		t.Errorf("last reply %q, want the consent question %q", ms[len(ms)-1].Text, ms[before-1].Text)
	}

	// The same with a tap: the consent's next step comes at once, and the
	// tap is answered, or its button would keep spinning.
	before, answered := len(anna.U.Messages()), len(anna.U.CallbackAnswers())
	cutter.armed.Store(true)
	if _, err := anna.U.Tap("✅ I agree"); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for len(anna.U.Messages()) == before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if cutter.cut.Load() != 2 {
		t.Fatalf("the proxy cut %d commits, want 2", cutter.cut.Load())
	}
	if len(anna.U.Messages()) == before {
		t.Fatal("no reply to the tap within 10 s of a commit whose answer was lost")
	}
	h.Settle()
	if n := len(anna.U.CallbackAnswers()) - answered; n != 1 {
		t.Errorf("the tap was answered %d times, want once", n)
	}
	if n := count(t, h, `SELECT count(*) FROM dead_updates`); n != 0 {
		t.Errorf("%d updates set aside; the handled one must not be", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var unsent int
	if err := h.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL AND dropped_at IS NULL`).Scan(&unsent); err != nil {
		t.Fatal(err)
	}
	if unsent != 0 {
		t.Errorf("%d outbox rows unsent", unsent)
	}
}
