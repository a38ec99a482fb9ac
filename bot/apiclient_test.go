package bot

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAPIClientSendsBodiesWhole: a body of unknown length (go-telegram/bot
// writes its forms into a pipe) goes out with its length, not chunked and
// flushed chunk by chunk; one longer than bufferedBodyMax is streamed as
// before; either arrives intact.
func TestAPIClientSendsBodiesWhole(t *testing.T) {
	type seen struct {
		length   int64
		encoding []string
		body     []byte
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		got <- seen{r.ContentLength, r.TransferEncoding, body}
	}))
	defer srv.Close()
	c := apiClient(4)
	for _, n := range []int{0, 10, 5000, bufferedBodyMax, bufferedBodyMax + 1, 3 * bufferedBodyMax} {
		want := bytes.Repeat([]byte("0123456789"), n/10+1)[:n]
		pr, pw := io.Pipe()
		go func() {
			for rest := want; len(rest) > 0; rest = rest[min(len(rest), 100):] {
				pw.Write(rest[:min(len(rest), 100)]) //nolint:errcheck // the reader reads all
			}
			pw.Close()
		}()
		req, err := http.NewRequest("POST", srv.URL, pr)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		resp.Body.Close()
		s := <-got
		if !bytes.Equal(s.body, want) {
			t.Errorf("%d bytes: the body arrived as %d other bytes", n, len(s.body))
		}
		chunked := strings.Join(s.encoding, ",") == "chunked"
		if whole := n <= bufferedBodyMax; whole && (chunked || s.length != int64(n)) {
			t.Errorf("%d bytes: sent with length %d, encoding %q; want whole, with its length", n, s.length, s.encoding)
		} else if !whole && !chunked {
			t.Errorf("%d bytes: encoding %q; want a longer body streamed (chunked)", n, s.encoding)
		}
	}
}
