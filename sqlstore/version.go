package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scim"
)

// Without a version column (Columns.Version "-"), a user's version is a
// hash of the values of every column the store reads, and Replace and
// Delete are a compare-and-swap on those values:
//
//	UPDATE t SET … WHERE id = ? AND c1 = ? AND c2 IS NULL AND …
//
// with the values just read (compared exactly: BINARY on MySQL, COLLATE
// BINARY on SQLite, so that a case-only change by another writer is seen).
// Of two writers that read the same row, one changes it and the other's
// condition no longer holds: it matches no row, reads again and either
// reports scim.ErrVersionMismatch (with a version) or retries (without),
// so no update is lost. What a content version cannot tell apart is two
// states with equal content: a write that changes nothing keeps the
// version (there is nothing to lose), and a row changed and changed back
// matches a version read before both changes, which is safe for the same
// reason.

// contentVersion is the version of a row whose columns hold vals: a weak
// ETag of 64 bits of the SHA-256 of their canonical encoding.
func contentVersion(vals []any) string {
	h := sha256.New()
	var b []byte
	for _, v := range vals {
		b = b[:0]
		switch v := v.(type) {
		case nil:
			b = append(b, 0)
		case string:
			b = append(b, 's')
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case bool:
			b = append(b, 'b')
			if v {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		case int64:
			b = append(b, 'n')
			b = binary.AppendVarint(b, v)
		case time.Time:
			b = append(b, 't')
			b = binary.AppendVarint(b, dbTime(v).UnixMicro())
		}
		h.Write(b)
	}
	return `W/"c` + hex.EncodeToString(h.Sum(nil)[:8]) + `"`
}

// sameVersion compares versions as the handler may pass them: W/"x", "x"
// or x.
func sameVersion(a, b string) bool {
	trim := func(s string) string {
		return strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "W/"), `"`), `"`)
	}
	return trim(a) == trim(b)
}

// readRow reads the user and the values of its columns, or an error
// wrapping scim.ErrNotFound.
func (s *Store) readRow(ctx context.Context, id string, key []any) (*scim.User, []any, error) {
	u, vals, err := s.scanRow(s.queryRow(ctx, s.byID, key...).Scan, false)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("sqlstore: user %q: %w", id, scim.ErrNotFound)
	} else if err != nil {
		return nil, nil, fmt.Errorf("sqlstore: read user %q: %w", id, err)
	}
	return u, vals, nil
}

// unchanged returns "c1 = ? AND c2 IS NULL …", the condition that the
// row's columns still hold vals, with placeholders from n on, and its
// arguments.
func (s *Store) unchanged(vals []any, n int) (string, []any) {
	conds := make([]string, len(s.cols))
	var args []any
	for i, c := range s.cols {
		v := vals[i]
		if v == nil {
			conds[i] = c.name + " IS NULL"
			continue
		}
		ph := s.ph(n + len(args))
		args = append(args, v)
		_, text := v.(string)
		_, when := v.(time.Time)
		switch {
		case when && s.cfg.Dialect == SQLite:
			// SQLite keeps times as text: a row the host wrote in another
			// format ("2024-03-01 09:30:00") still matches the instant
			// read from it, to the millisecond.
			args = append(args, v)
			conds[i] = "(" + c.name + " = " + ph + " OR strftime('%Y-%m-%d %H:%M:%f', " + c.name +
				") = strftime('%Y-%m-%d %H:%M:%f', " + s.ph(n+len(args)-1) + "))"
		case text && s.cfg.Dialect == MySQL:
			conds[i] = c.name + " = BINARY " + ph
		case text && s.cfg.Dialect == SQLite:
			conds[i] = c.name + " = " + ph + " COLLATE BINARY"
		default:
			conds[i] = c.name + " = " + ph
		}
	}
	return strings.Join(conds, " AND "), args
}

// replaceByContent is Replace for a table without a version column. vals
// are u's values for writeCols.
func (s *Store) replaceByContent(ctx context.Context, u *scim.User, version string, key, vals []any) (*scim.User, error) {
	cols := s.writeCols()
	for attempt := 0; ; attempt++ {
		cur, old, err := s.readRow(ctx, u.ID, key)
		if err != nil {
			return nil, err
		}
		if version != "" && !sameVersion(version, cur.Meta.Version) {
			return nil, fmt.Errorf("sqlstore: user %q: version %s (stored %s): %w", u.ID, version, cur.Meta.Version, scim.ErrVersionMismatch)
		}
		next := slices.Clone(vals)
		wcols := cols
		if s.created >= 0 {
			// created is the user's creation time: not replaced.
			i := s.created
			next[i] = old[i]
			wcols, next = append(cols[:i:i], cols[i+1:]...), append(next[:i:i], next[i+1:]...)
		}
		row := slices.Clone(vals[:len(s.cols)])
		if s.created >= 0 {
			row[s.created] = old[s.created]
		}
		out := s.asStored(u, row)
		out.Meta.Version = contentVersion(row)
		if out.Meta.Version == cur.Meta.Version {
			// Nothing changes: the read above was the compare, and there
			// is nothing to swap (MySQL would report no row affected).
			return out, nil
		}
		sets := make([]string, len(wcols))
		for i, c := range wcols {
			sets[i] = c + " = " + s.ph(i+1)
		}
		where, n := s.keyWhere(len(wcols) + 1)
		same, sameArgs := s.unchanged(old, len(wcols)+n+1)
		q := "UPDATE " + s.cfg.Table + " SET " + strings.Join(sets, ", ") + " WHERE " + where + " AND " + same
		res, err := s.exec(ctx, q, slices.Concat(next, key, sameArgs)...)
		if err != nil {
			return nil, s.writeError(ctx, "replace", u, row, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("sqlstore: replace user %q: %w", u.ID, err)
		} else if n == 1 {
			return out, nil
		}
		// Another writer changed the row since it was read: read it
		// again (with a version, to report the mismatch).
		if attempt == 100 {
			return nil, fmt.Errorf("sqlstore: user %q: changed by others on 100 attempts: %w", u.ID, scim.ErrVersionMismatch)
		}
	}
}

// deleteByContent is Delete with a version, for a table without a version
// column.
func (s *Store) deleteByContent(ctx context.Context, id, version string, key []any) error {
	for attempt := 0; ; attempt++ {
		cur, old, err := s.readRow(ctx, id, key)
		if err != nil {
			return err
		}
		if !sameVersion(version, cur.Meta.Version) {
			return fmt.Errorf("sqlstore: user %q: version %s (stored %s): %w", id, version, cur.Meta.Version, scim.ErrVersionMismatch)
		}
		where, n := s.keyWhere(1)
		same, sameArgs := s.unchanged(old, n+1)
		res, err := s.exec(ctx, "DELETE FROM "+s.cfg.Table+" WHERE "+where+" AND "+same, append(slices.Clone(key), sameArgs...)...)
		if err != nil {
			return fmt.Errorf("sqlstore: delete user %q: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("sqlstore: delete user %q: %w", id, err)
		} else if n == 1 {
			return nil
		}
		if attempt == 100 {
			return fmt.Errorf("sqlstore: user %q: changed by others on 100 attempts: %w", id, scim.ErrVersionMismatch)
		}
	}
}
