package posapi

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// rawServer hands each request (numbered from 1 over all connections)
// to serve, which writes the raw answer and says whether to keep the
// connection, and counts the connections it accepted.
type rawServer struct {
	ln    net.Listener
	conns atomic.Int32
}

func startRaw(t *testing.T, serve func(n int, r *http.Request, w io.Writer) (keep bool)) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int32 // requests seen, over all connections
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					r, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, r.Body)
					if !serve(int(n.Add(1)), r, c) {
						return
					}
				}
			}()
		}
	}()
	return s
}

func answer(w io.Writer, status int, extra, body string) {
	io.WriteString(w, "HTTP/1.1 "+strconv.Itoa(status)+" X\r\n"+extra+"Content-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body)
}

// TestLoadConnKeepsAndRenewsConnections: answers come back over one
// connection while the server keeps it; a "Connection: close" answer and
// a connection the server dropped while idle are followed by a fresh one
// (the request sent again once, as a purchase is idempotent), and what the
// client cannot read is an error, never a wrong answer.
func TestLoadConnKeepsAndRenewsConnections(t *testing.T) {
	var auth atomic.Value
	s := startRaw(t, func(n int, r *http.Request, w io.Writer) bool {
		auth.Store(r.Header.Get("Authorization") + " " + r.Header.Get("Content-Type") + " " + strconv.FormatInt(r.ContentLength, 10))
		switch n {
		case 3:
			answer(w, 201, "Connection: close\r\n", `{"n":3}`)
			return false
		case 5:
			return false // dropped while idle, before any answer
		case 7:
			io.WriteString(w, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{}\n\r\n0\r\n\r\n")
			return true
		}
		answer(w, 201, "Content-Type: application/json\r\n", `{"n":`+strconv.Itoa(n)+`}`)
		return true
	})
	addr := s.ln.Addr().String()
	c := newLoadConn(addr, addr, "/api/v1/purchases", "k1")
	defer c.close()
	ctx := context.Background()
	for i, want := range []string{`{"n":1}`, `{"n":2}`, `{"n":3}`, `{"n":4}`, `{"n":6}`} {
		status, body, err := c.post(ctx, []byte(`{"card":"x"}`))
		if err != nil || status != 201 || string(body) != want {
			t.Fatalf("post %d: %d %q %v, want 201 %s", i+1, status, body, err, want)
		}
	}
	if got := auth.Load(); got != "Bearer k1 application/json 12" {
		t.Errorf("the server saw %q", got)
	}
	// 1–3 on the first connection, 4 (and the dropped 5) on the second,
	// 6 sent again on a third.
	if n := s.conns.Load(); n != 3 {
		t.Errorf("%d connections, want 3", n)
	}
	if _, _, err := c.post(ctx, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "chunked") {
		t.Errorf("a chunked answer: %v, want an error naming it", err)
	}
}
