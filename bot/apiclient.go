package bot

import (
	"bytes"
	"io"
	"net/http"
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
