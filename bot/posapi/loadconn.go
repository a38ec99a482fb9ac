package posapi

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// loadConn is one load client's keep-alive connection: it writes a
// request in one system call and reads the answer in the caller's
// goroutine. net/http's client moves every request through two more
// goroutines of its own (a writer and a reader per connection) and a
// header map each way; in `loyaltybot loadtest` it was a sixth of the
// process's CPU, all of it counted against the bot it measures, since
// the two share the machine. pgbench, which the POS path is compared
// with, drives PostgreSQL through libpq in the same lean way.
//
// It speaks only what the load needs of HTTP/1.1: a POST with a
// Content-Length, and an answer with one (the API writes every answer
// whole), or the connection is given up.
type loadConn struct {
	addr string
	head []byte // request line and headers, up to "Content-Length: "
	conn net.Conn
	r    *bufio.Reader
	out  []byte // the request being written
	body []byte // the last answer's body
	stop func() bool
}

func newLoadConn(addr, host, path, key string) *loadConn {
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: ", path, host, key)
	return &loadConn{addr: addr, head: []byte(head)}
}

// errNoAnswer is a connection that ended before any of the answer came:
// the server closed it while it was idle. A purchase is idempotent on its
// receipt id, so it is sent once more on a fresh connection.
var errNoAnswer = errors.New("connection closed before the answer")

// post sends body and returns the answer's status and body (valid until
// the next post).
func (c *loadConn) post(ctx context.Context, body []byte) (int, []byte, error) {
	reused := c.conn != nil
	status, answer, err := c.try(ctx, body)
	if errors.Is(err, errNoAnswer) && reused && ctx.Err() == nil {
		status, answer, err = c.try(ctx, body)
	}
	return status, answer, err
}

func (c *loadConn) try(ctx context.Context, body []byte) (int, []byte, error) {
	if c.conn == nil {
		d := net.Dialer{Timeout: loadTimeout}
		conn, err := d.DialContext(ctx, "tcp", c.addr)
		if err != nil {
			return 0, nil, err
		}
		c.conn, c.r = conn, bufio.NewReaderSize(conn, 4096)
		// A run cut short (Ctrl-C) does not wait out a request's timeout.
		c.stop = context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	}
	c.conn.SetDeadline(time.Now().Add(loadTimeout))
	if err := ctx.Err(); err != nil {
		c.close()
		return 0, nil, err
	}
	c.out = append(strconv.AppendInt(append(c.out[:0], c.head...), int64(len(body)), 10), "\r\n\r\n"...)
	c.out = append(c.out, body...)
	if _, err := c.conn.Write(c.out); err != nil {
		c.close()
		return 0, nil, fmt.Errorf("%w: %v", errNoAnswer, err)
	}
	status, keep, err := c.read()
	if err != nil || !keep {
		c.close()
	}
	if err != nil {
		return 0, nil, err
	}
	return status, c.body, nil
}

// read reads one answer: the status line, the headers (Content-Length,
// Connection) and the body. keep says whether the connection may carry
// the next request.
func (c *loadConn) read() (status int, keep bool, err error) {
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		if len(line) == 0 && (errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err)) {
			return 0, false, errNoAnswer
		}
		return 0, false, fmt.Errorf("read status: %w", err)
	}
	// "HTTP/1.1 201 Created\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, false, fmt.Errorf("not an HTTP/1.x status line: %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, false, fmt.Errorf("bad status line: %q", line)
	}
	keep = line[7] == '1'
	length := -1
	for {
		line, err = c.r.ReadSlice('\n')
		if err != nil {
			return 0, false, fmt.Errorf("read headers: %w", err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, false, fmt.Errorf("bad header line: %q", line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, false, fmt.Errorf("bad Content-Length: %q", value)
			}
		case bytes.EqualFold(name, []byte("Connection")):
			if bytes.EqualFold(value, []byte("close")) {
				keep = false
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, false, fmt.Errorf("answer in Transfer-Encoding %q: the load client reads only answers with a Content-Length", value)
		}
	}
	if length < 0 || length > MaxBody {
		return 0, false, fmt.Errorf("answer without a usable Content-Length (%d)", length)
	}
	c.body = append(c.body[:0], make([]byte, length)...)
	if _, err := io.ReadFull(c.r, c.body); err != nil {
		return 0, false, fmt.Errorf("read body: %w", err)
	}
	return status, keep, nil
}

func (c *loadConn) close() {
	if c.conn != nil {
		c.stop()
		c.conn.Close()
		c.conn, c.r = nil, nil
	}
}

// isReset is a connection the server reset while it was idle.
func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && !op.Timeout()
}
