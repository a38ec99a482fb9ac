package bot

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
)

// apiClient is the HTTP client of the Bot API calls. Every call goes to
// one host, from up to workers goroutines (each update's worker sends its
// own reply) and the background sender; http.DefaultTransport keeps two
// idle connections per host, so under load the rest were closed after
// each call and dialled again: 6 % of the bot's CPU in the chat load run
// went to dialling. The timeout is go-telegram/bot's default.
func apiClient(workers int) tg.HttpClient {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = workers + 8
	return bufferedBodies{&http.Client{Timeout: time.Minute, Transport: t}}
}

// bufferedBodyMax is how much of a request body bufferedBodies reads
// ahead: every message and card picture, not a large export document.
const bufferedBodyMax = 1 << 20

// bufferedBodies sends a request body of up to bufferedBodyMax bytes
// whole, with its length. go-telegram/bot writes each call's multipart
// form into a pipe, a body of unknown length, which net/http sends
// chunked and flushes after every chunk: a system call per form field,
// 14 % of the process's CPU in writes under the chat load. A longer body
// is sent as before, streamed, its first part from memory.
type bufferedBodies struct{ c *http.Client }

func (b bufferedBodies) Do(req *http.Request) (*http.Response, error) {
	resp, err := b.do(req)
	if err == nil {
		skipResult(req, resp)
	}
	return resp, err
}

func (b bufferedBodies) do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength > 0 {
		return b.c.Do(req)
	}
	head, err := io.ReadAll(io.LimitReader(req.Body, bufferedBodyMax+1))
	if err != nil {
		req.Body.Close()
		return nil, err
	}
	if len(head) <= bufferedBodyMax {
		req.Body.Close()
		req.ContentLength = int64(len(head))
		req.Body, req.GetBody = http.NoBody, func() (io.ReadCloser, error) { return http.NoBody, nil }
		if len(head) > 0 {
			req.Body = io.NopCloser(bytes.NewReader(head))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(head)), nil }
		}
		return b.c.Do(req)
	}
	req.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), req.Body), req.Body}
	return b.c.Do(req)
}

// unreadKey marks a call's context: its caller does not read the result.
type unreadKey struct{}

// resultUnread marks ctx for calls whose result, a models.Message, the
// caller throws away (see skipResult).
func resultUnread(ctx context.Context) context.Context {
	return context.WithValue(ctx, unreadKey{}, true)
}

// okPrefix is how Telegram's answer to a call that succeeded begins, and
// okEmpty is such an answer with an empty message.
const (
	okPrefix = `{"ok":true`
	okEmpty  = `{"ok":true,"result":{}}`
)

// skipResult gives a call marked resultUnread, that succeeded, an empty
// message as its result instead of the one Telegram sent back.
// go-telegram/bot decodes every answer twice, whole and then into its
// models (a sent photo's sizes, the chat, the buttons echoed), and the
// bot reads none of it: under the chat load that was about 5 % of the
// bot's CPU. Only an answer that begins as Telegram's successes begin is
// replaced (the rest of it read and dropped, so the connection is kept); an
// error, an unmarked call or an answer in any other shape reaches the
// library as it came, and a body that breaks off while it is dropped
// fails the call as it would have.
func skipResult(req *http.Request, resp *http.Response) {
	if resp.StatusCode != http.StatusOK || req.Context().Value(unreadKey{}) == nil {
		return
	}
	var head [len(okPrefix)]byte
	n, err := io.ReadFull(resp.Body, head[:])
	if err != nil || string(head[:]) != okPrefix {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head[:n]), resp.Body), resp.Body}
		return
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		resp.Body = io.NopCloser(failingReader{err})
		return
	}
	resp.Body, resp.ContentLength = io.NopCloser(strings.NewReader(okEmpty)), int64(len(okEmpty))
}

// failingReader fails every read with its error.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }
