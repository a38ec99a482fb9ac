package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
)

// Telegram is the Bot API as the bot calls it: go-telegram/bot for
// documents, commands and the webhook, and a body written here for the
// calls of nearly every update: sendMessage, editMessageText,
// editMessageReplyMarkup and answerCallbackQuery as JSON, and sendPhoto
// (the card picture, a chart) as JSON or, for an upload, a multipart
// form. go-telegram/bot sends every call as a multipart form, built by
// reflection over the parameters in a goroutine writing into a pipe:
// under the chat load, 5 % of the bot's CPU for the four JSON calls, and
// the fake Telegram's multipart parsing as much again on its side.
// Telegram takes JSON bodies for every call without a file (the Bot
// API's "Making requests"). The library's calls and these go through
// the same HTTP client (apiClient), and an answer is read as
// go-telegram/bot reads it, to the same errors
// (TestTelegramErrorsAreTheLibrarys), so the sender tells a 429, a block
// or a bad request apart the same way whichever made the call.
type Telegram struct {
	*tg.Bot
	client tg.HttpClient
	base   string // the server, "/bot", the token, "/": a method's URL without its name
	token  string
}

// NewTelegram makes the Bot API client for serverURL (Telegram's, or a
// fake's in tests), with connections for workers concurrent calls.
// onError hears go-telegram/bot's own errors (nil: dropped).
func NewTelegram(token, serverURL string, workers int, onError func(error)) (*Telegram, error) {
	if onError == nil {
		onError = func(error) {}
	}
	client := apiClient(workers)
	lib, err := tg.New(token, tg.WithServerURL(serverURL), tg.WithSkipGetMe(),
		tg.WithHTTPClient(time.Minute, client), tg.WithErrorsHandler(onError))
	if err != nil {
		return nil, err
	}
	return &Telegram{Bot: lib, client: client, base: strings.TrimRight(serverURL, "/") + "/bot" + token + "/", token: token}, nil
}

// call posts body, a JSON object, to method; the result (the message
// sent or edited, or true) is not read.
func (t *Telegram) call(ctx context.Context, method string, body []byte) error {
	return t.post(ctx, method, "application/json", body)
}

// post posts body of contentType to method, the result unread.
func (t *Telegram) post(ctx context.Context, method, contentType string, body []byte) error {
	req, err := http.NewRequestWithContext(resultUnread(ctx), http.MethodPost, t.base+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("error create request for method %s, %s", method, redact(err.Error(), t.token))
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := t.client.Do(req)
	if err != nil {
		var netErr *url.Error
		if errors.As(err, &netErr) {
			netErr.URL = strings.ReplaceAll(netErr.URL, t.token, "***") // as the library's errors show it
		}
		return fmt.Errorf("error do request for method %s, %w", method, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("error read response body for method %s, %w", method, err)
	}
	if string(answer) == okEmpty { // skipResult's: a success
		return nil
	}
	return answerError(method, answer)
}

// apiResponse is an answer of the Bot API, as far as an error needs it
// (named as go-telegram/bot names its own, which a decoding error quotes).
type apiResponse struct {
	OK          bool   `json:"ok"`
	Description string `json:"description"`
	ErrorCode   int    `json:"error_code"`
	Parameters  struct {
		RetryAfter      int `json:"retry_after"`
		MigrateToChatID int `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// answerError is the error of a call answered with body, nil for a
// success: go-telegram/bot's errors, worded as it words them.
func answerError(method string, body []byte) error {
	var r apiResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("error decode response body for method %s, %s, %w", method, body, err)
	}
	if r.OK {
		return nil
	}
	switch r.ErrorCode {
	case http.StatusForbidden:
		return fmt.Errorf("%w, %s", tg.ErrorForbidden, r.Description)
	case http.StatusBadRequest:
		if r.Parameters.MigrateToChatID != 0 {
			return &tg.MigrateError{
				Message:         fmt.Sprintf("%s: %s", tg.ErrorBadRequest, r.Description),
				MigrateToChatID: r.Parameters.MigrateToChatID,
			}
		}
		return fmt.Errorf("%w, %s", tg.ErrorBadRequest, r.Description)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w, %s", tg.ErrorUnauthorized, r.Description)
	case http.StatusNotFound:
		return fmt.Errorf("%w, %s", tg.ErrorNotFound, r.Description)
	case http.StatusConflict:
		return fmt.Errorf("%w, %s", tg.ErrorConflict, r.Description)
	case http.StatusTooManyRequests:
		return &tg.TooManyRequestsError{
			Message:    fmt.Sprintf("%s, %s", tg.ErrorTooManyRequests, r.Description),
			RetryAfter: r.Parameters.RetryAfter,
		}
	default:
		return fmt.Errorf("error response from telegram for method %s, %d %s", method, r.ErrorCode, r.Description)
	}
}
