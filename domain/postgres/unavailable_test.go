package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/loyaltybot/loyaltybot/domain"
	"github.com/loyaltybot/loyaltybot/domain/postgres"
)

// TestMarkUnavailable: a lost or refused connection and a server shutting
// down are ErrUnavailable (retry); an error the server answered about the
// request itself, or a cancelled request, is not.
func TestMarkUnavailable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}, true},
		{&pgconn.PgError{Code: "57P03", Message: "the database system is shutting down"}, true},
		{&pgconn.PgError{Code: "08006"}, true},
		{fmt.Errorf("claim update 3: %w", io.ErrUnexpectedEOF), true},
		{fmt.Errorf("find customer: %w", pgconn.ErrConnClosed), true},
		{&pgconn.PgError{Code: "23505"}, false},
		{&pgconn.PgError{Code: "40001"}, false},
		{context.Canceled, false},
		{errors.New("decode stored update"), false},
		{nil, false},
	} {
		err := postgres.MarkUnavailable(c.err)
		if got := errors.Is(err, domain.ErrUnavailable); got != c.want {
			t.Errorf("%v: unavailable %v, want %v", c.err, got, c.want)
		}
		if c.err != nil && !errors.Is(err, c.err) {
			t.Errorf("%v: the original error is lost: %v", c.err, err)
		}
	}
}
