package postgres

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/loyaltybot/loyaltybot/domain"
)

// markUnavailable wraps err with domain.ErrUnavailable when it says the
// server is away rather than that it refused the request: a connection
// that could not be made or was lost, or the server shutting down. A
// transaction that failed so was rolled back (or, for a lost COMMIT,
// perhaps committed: the idempotency keys make the retry safe).
func markUnavailable(err error) error {
	if err == nil || errors.Is(err, domain.ErrUnavailable) || !lostServer(err) {
		return err
	}
	return fmt.Errorf("%w: %w", domain.ErrUnavailable, err)
}

func lostServer(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		// Class 08 connection exception; 57P01 admin_shutdown, 57P02
		// crash_shutdown, 57P03 cannot_connect_now (starting up).
		return strings.HasPrefix(pg.Code, "08") || pg.Code == "57P01" || pg.Code == "57P02" || pg.Code == "57P03"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE)
}
