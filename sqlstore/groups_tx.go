package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"math/rand/v2"
	"time"
)

// txConn is what the statements of a transaction run on: a *sql.Tx, or
// on SQLite a *sql.Conn inside BEGIN IMMEDIATE.
type txConn interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// inTx runs f in a transaction and commits it when f returns nil.
//
// Group writes lock rows in one order (the members' user rows, shared;
// then the group's row), but a database may still abort a transaction
// it picked as a deadlock victim, or, on SQLite, find the database busy
// past its busy_timeout; f then runs again, after a short random pause,
// so that two replicas racing on one group both succeed.
func (s *Store) inTx(ctx context.Context, f func(tx txConn) error) error {
	for attempt := 1; ; attempt++ {
		err := s.tx(ctx, f)
		if err == nil || !isRetryable(err) || attempt == 32 || ctx.Err() != nil {
			return err
		}
		pause := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6)))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

func (s *Store) tx(ctx context.Context, f func(tx txConn) error) error {
	if s.cfg.Dialect != SQLite {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := f(tx); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	// database/sql's BEGIN is SQLite's BEGIN DEFERRED, which takes the
	// write lock only at the first write and fails (SQLITE_BUSY, past any
	// busy_timeout) when another writer committed since its first read.
	// BEGIN IMMEDIATE takes the write lock first, waiting busy_timeout
	// for it: the transaction then runs alone, as FOR UPDATE makes it on
	// the other databases.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	err = f(conn)
	if err == nil {
		if _, err = conn.ExecContext(ctx, "COMMIT"); err == nil {
			return nil
		}
	}
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
		// A connection whose transaction is in an unknown state must not
		// go back to the pool.
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	return err
}

// isRetryable reports whether err is a transaction the database aborted
// to break a deadlock or a serialization conflict, or SQLite's busy
// database: PostgreSQL's SQLSTATE 40P01 and 40001, MySQL's errors 1213
// (deadlock) and 1205 (lock wait timeout), SQLite's SQLITE_BUSY and
// SQLITE_LOCKED with their extended codes. Drivers are recognised by
// shape, as in isUniqueViolation.
func isRetryable(err error) bool {
	var state interface{ SQLState() string }
	if errors.As(err, &state) && (state.SQLState() == "40P01" || state.SQLState() == "40001") {
		return true
	}
	var code interface{ Code() int }
	if errors.As(err, &code) && (code.Code()&0xff == 5 || code.Code()&0xff == 6) {
		return true
	}
	n := mysqlNumber(err)
	return n == 1213 || n == 1205
}
