package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// redactedToken stands where the bot token was: the token is in every Bot
// API URL, is the bot's password, and a network error quotes the URL.
const redactedToken = "<redacted>"

// redact replaces the token in s: whole, URL-escaped, and its secret half
// alone (after the colon) when that is long enough not to be a common word.
func redact(s, token string) string {
	if token == "" {
		return s
	}
	s = strings.ReplaceAll(s, token, redactedToken)
	if esc := url.PathEscape(token); esc != token {
		s = strings.ReplaceAll(s, esc, redactedToken)
	}
	if _, secret, ok := strings.Cut(token, ":"); ok && len(secret) >= 16 {
		s = strings.ReplaceAll(s, secret, redactedToken)
	}
	return s
}

// RedactToken wraps h so that no log line carries the bot token, whatever
// writes it: our own code, go-telegram/bot's error handler, a wrapped
// *url.Error three layers down. The message and every attribute (strings,
// errors, anything printed, inside groups and With) are cleaned. An empty
// token leaves h as it is.
func RedactToken(h slog.Handler, token string) slog.Handler {
	if token == "" {
		return h
	}
	if r, ok := h.(*redactor); ok && r.token == token {
		return h
	}
	return &redactor{next: h, token: token}
}

type redactor struct {
	next  slog.Handler
	token string
}

func (r *redactor) Enabled(ctx context.Context, l slog.Level) bool { return r.next.Enabled(ctx, l) }

func (r *redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, redact(rec.Message, r.token), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.attr(a))
		return true
	})
	return r.next.Handle(ctx, out)
}

func (r *redactor) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = r.attr(a)
	}
	return &redactor{next: r.next.WithAttrs(clean), token: r.token}
}

func (r *redactor) WithGroup(name string) slog.Handler {
	return &redactor{next: r.next.WithGroup(name), token: r.token}
}

// attr returns a with the token replaced; values that print the token
// (errors, structs) become their cleaned text.
func (r *redactor) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, redact(v.String(), r.token))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]slog.Attr, len(group))
		for i, g := range group {
			clean[i] = r.attr(g)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(clean...)}
	case slog.KindAny:
		var text string
		if err, ok := v.Any().(error); ok {
			text = err.Error()
		} else {
			text = fmt.Sprintf("%+v", v.Any())
		}
		if clean := redact(text, r.token); clean != text {
			return slog.String(a.Key, clean)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
