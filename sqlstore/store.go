package sqlstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimkit/scim"
)

// Store is a scim.Store over a table reached through database/sql. It is
// safe for concurrent use, and any number of Stores, in any number of
// processes, may share a table: uniqueness and versions are enforced by
// the database, not in memory.
type Store struct {
	db    *sql.DB
	cfg   Config
	stmts stmtCache

	// fields are the attributes the table keeps, cols the columns they
	// read (a column may back several fields); created is the index in
	// cols of the created column, -1 without one.
	fields  []field
	cols    []column
	created int
	uniq    uniqueIndexes

	// The fixed statements, built once by New.
	selectCols string // the columns scan reads, in order
	// attrsAt is the index in cols of Columns.Attributes when a list may
	// leave it out (see leanList), -1 otherwise; selectLean is
	// selectCols without it.
	attrsAt    int
	selectLean string
	byID       string // SELECT … WHERE id = ? [AND tenant = ?]
	exists     string // SELECT version … WHERE id = ? [AND tenant = ?]
	// order is List's ORDER BY: creation order, so that a user created
	// while an identity provider pages through an import lands on a later
	// page instead of shifting the pages already read and making the
	// import skip someone. Database ids grow with creation; UUIDs do not,
	// so they are ordered by meta.created first.
	order string

	groups *groupStore // nil without Config.Groups (see groups.go)
	// resources are the tables of Config.Resources (see resources.go).
	resources []*resourceTable
}

var _ scim.Store = (*Store)(nil)

// New returns a Store over db, whose table cfg describes. It checks cfg
// with Validate but does not touch the database: the table must exist
// (see Config.Schema). Statements are prepared on first use.
func New(db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: New needs a *sql.DB")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Store{db: db, cfg: cfg.withDefaults()}
	k := s.cfg.Columns
	s.fields, s.cols = s.cfg.allFields()
	s.created = slices.IndexFunc(s.cols, func(c column) bool { return c.name == k.Created })
	cols := []string{k.ID}
	for _, c := range s.cols {
		cols = append(cols, c.name)
	}
	if k.Version != "" {
		cols = append(cols, k.Version)
	}
	s.selectCols = strings.Join(cols, ", ")
	s.attrsAt, s.selectLean = s.leanColumns()
	s.order = s.cfg.Columns.ID
	if s.cfg.IDs == UUIDs && k.Created != "" {
		s.order = s.cfg.Columns.Created + ", " + s.cfg.Columns.ID
	}
	where, _ := s.keyWhere(1)
	s.byID = "SELECT " + s.selectCols + " FROM " + s.cfg.Table + " WHERE " + where
	s.exists = "SELECT " + cmp.Or(k.Version, "1") + " FROM " + s.cfg.Table + " WHERE " + where
	if s.cfg.Groups != nil {
		s.groups = newGroupStore(s)
	}
	for _, r := range s.cfg.Resources {
		s.resources = append(s.resources, newResourceTable(s, r))
	}
	return s, nil
}

// Close closes the prepared statements. It does not close the *sql.DB.
func (s *Store) Close() error { return s.stmts.close() }

func (s *Store) ph(n int) string { return s.cfg.Dialect.Placeholder(n) }

// keyWhere returns "id = ? [AND tenant = ?]" with placeholders from n on,
// and the number of placeholders it used.
func (s *Store) keyWhere(n int) (string, int) {
	w := s.cfg.Columns.ID + " = " + s.ph(n)
	if s.cfg.Dialect == MySQL && s.cfg.IDs == UUIDs {
		// Ids are case-exact even in a column with a _ci collation;
		// BINARY ? still uses the primary key.
		w = s.cfg.Columns.ID + " = BINARY " + s.ph(n)
	}
	if s.cfg.Columns.Tenant == "" {
		return w, 1
	}
	return w + " AND " + s.cfg.Columns.Tenant + " = " + s.ph(n+1), 2
}

// keyArgs returns the arguments of keyWhere, or an error wrapping
// scim.ErrNotFound for an id that cannot be one of the table's.
func (s *Store) keyArgs(ctx context.Context, id string) ([]any, error) {
	tenant, err := s.tenant(ctx)
	if err != nil {
		return nil, err
	}
	key, ok := s.idArg(id)
	if !ok {
		return nil, fmt.Errorf("sqlstore: user %q: %w", id, scim.ErrNotFound)
	}
	if s.cfg.Columns.Tenant == "" {
		return []any{key}, nil
	}
	return []any{key, tenant}, nil
}

// tenant returns the context's tenant. A table without a tenant column
// cannot keep tenants apart, so a tenant in the context is then an error
// rather than a silent leak between tenants.
func (s *Store) tenant(ctx context.Context) (string, error) {
	t := scim.TenantFrom(ctx)
	if t != "" && s.cfg.Columns.Tenant == "" {
		return "", fmt.Errorf("sqlstore: the context carries tenant %q but Config.Columns.Tenant is not set", t)
	}
	return t, nil
}

// Create inserts u with version 1. A userName taken in the tenant
// (compared case-insensitively by the unique index) is an error wrapping
// scim.ErrUniqueness.
func (s *Store) Create(ctx context.Context, u *scim.User) (*scim.User, error) {
	if u.Meta.Created.IsZero() || u.Meta.LastModified.IsZero() {
		c := *u
		c.Meta.Created, c.Meta.LastModified = stampTimes(u.Meta)
		u = &c
	}
	tenant, err := s.tenant(ctx)
	if err != nil {
		return nil, err
	}
	vals, err := s.values(u)
	if err != nil {
		return nil, err
	}
	k := s.cfg.Columns
	cols := s.writeCols()
	row := slices.Clone(vals[:len(s.cols)])
	if k.Version != "" {
		vals = append(vals, int64(1))
		cols = append(cols, k.Version)
	}
	if k.Tenant != "" {
		cols, vals = append(cols, k.Tenant), append(vals, tenant)
	}
	id := ""
	if s.cfg.IDs == UUIDs {
		id = newUUID()
		cols, vals = append(cols, k.ID), append(vals, id)
	}
	id, err = s.insert(ctx, s.cfg.Table, k.ID, cols, vals, id, s.exec,
		func(ctx context.Context, q string, args ...any) scanner { return s.queryRow(ctx, q, args...) })
	if err != nil {
		return nil, s.writeError(ctx, "create", u, row, err)
	}
	out := s.asStored(u, row)
	out.ID = id
	out.Meta.Version = formatVersion(1)
	if k.Version == "" {
		out.Meta.Version = contentVersion(row)
	}
	return out, nil
}

// User returns the user with the given id in the context's tenant.
func (s *Store) User(ctx context.Context, id string) (*scim.User, error) {
	args, err := s.keyArgs(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, s.byID, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read user %q: %w", id, err)
	}
	users, err := s.scanAll(rows, false)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read user %q: %w", id, err)
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("sqlstore: user %q: %w", id, scim.ErrNotFound)
	}
	return users[0], nil
}

// Replace updates every column but id, tenant and created, when the
// stored version is the one given (any, when version is empty), and
// increments the version.
func (s *Store) Replace(ctx context.Context, u *scim.User, version string) (*scim.User, error) {
	key, err := s.keyArgs(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	vals, err := s.values(u)
	if err != nil {
		return nil, err
	}
	k := s.cfg.Columns
	if k.Version == "" {
		return s.replaceByContent(ctx, u, version, key, vals)
	}
	row := slices.Clone(vals[:len(s.cols)])
	cols := s.writeCols()
	// created is the user's creation time: not replaced.
	if s.created >= 0 {
		i := s.created
		cols, vals = append(cols[:i:i], cols[i+1:]...), append(vals[:i:i], vals[i+1:]...)
	}
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = c + " = " + s.ph(i+1)
	}
	where, n := s.keyWhere(len(cols) + 1)
	q := "UPDATE " + s.cfg.Table + " SET " + strings.Join(sets, ", ") + ", " + k.Version + " = " + k.Version + " + 1" +
		" WHERE " + where + " AND " + k.Version + " = " + s.ph(len(cols)+n+1)
	args := append(append(vals, key...), nil)
	// Without a version the replace still goes through the version
	// check, with the version just read: a concurrent writer makes it
	// read again rather than lose its update.
	for attempt := 0; ; attempt++ {
		var v int64
		if version != "" {
			var ok bool
			if v, ok = parseVersion(version); !ok {
				if _, err := s.current(ctx, u.ID, key); err != nil {
					return nil, err
				}
				return nil, fmt.Errorf("sqlstore: user %q: version %s: %w", u.ID, version, scim.ErrVersionMismatch)
			}
		} else if v, err = s.current(ctx, u.ID, key); err != nil {
			return nil, err
		}
		args[len(args)-1] = v
		res, err := s.exec(ctx, q, args...)
		if err != nil {
			return nil, s.writeError(ctx, "replace", u, row, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("sqlstore: replace user %q: %w", u.ID, err)
		} else if n == 1 {
			if s.created >= 0 {
				if row[s.created], err = s.createdOf(ctx, u.ID, key); err != nil {
					return nil, err
				}
			}
			out := s.asStored(u, row)
			out.Meta.Version = formatVersion(v + 1)
			return out, nil
		}
		if _, err := s.current(ctx, u.ID, key); err != nil {
			return nil, err
		}
		if version != "" || attempt == 100 {
			return nil, fmt.Errorf("sqlstore: user %q: version %s: %w", u.ID, version, scim.ErrVersionMismatch)
		}
	}
}

// createdOf reads the user's creation time from the table, since Replace
// does not change it: nil or a time.Time.
func (s *Store) createdOf(ctx context.Context, id string, key []any) (any, error) {
	where, _ := s.keyWhere(1)
	var created sql.NullTime
	err := s.queryRow(ctx, "SELECT "+s.cfg.Columns.Created+" FROM "+s.cfg.Table+" WHERE "+where, key...).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlstore: user %q: %w", id, scim.ErrNotFound)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: replace user %q: %w", id, err)
	}
	if !created.Valid {
		return nil, nil
	}
	return dbTime(created.Time), nil
}

// current returns the stored version of the user, or an error wrapping
// scim.ErrNotFound.
func (s *Store) current(ctx context.Context, id string, key []any) (int64, error) {
	var v int64
	err := s.queryRow(ctx, s.exists, key...).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("sqlstore: user %q: %w", id, scim.ErrNotFound)
	} else if err != nil {
		return 0, fmt.Errorf("sqlstore: read user %q: %w", id, err)
	}
	return v, nil
}

// Delete deletes the user, when the stored version is the one given (any,
// when version is empty), with its memberships and the references
// declared resources hold to it (see DeleteResource).
func (s *Store) Delete(ctx context.Context, id, version string) error {
	key, err := s.keyArgs(ctx, id)
	if err != nil {
		return err
	}
	if version != "" && s.cfg.Columns.Version == "" {
		return s.deleteByContent(ctx, id, version, key)
	}
	where, n := s.keyWhere(1)
	q := "DELETE FROM " + s.cfg.Table + " WHERE " + where
	args := key
	if version != "" {
		v, ok := parseVersion(version)
		if !ok {
			v = -1 // matches no row; reported as a mismatch below
		}
		q += " AND " + s.cfg.Columns.Version + " = " + s.ph(n+1)
		args = append(args, v)
	}
	if s.groups != nil || s.refersTo() {
		// Its memberships, and the references declared resources hold to
		// it, go with it, in one transaction.
		return s.deleteUser(ctx, id, version, q, args, key)
	}
	res, err := s.exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("sqlstore: delete user %q: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlstore: delete user %q: %w", id, err)
	} else if n == 1 {
		return nil
	}
	if _, err := s.current(ctx, id, key); err != nil {
		return err
	}
	return fmt.Errorf("sqlstore: user %q: version %s: %w", id, version, scim.ErrVersionMismatch)
}

// formatVersion is the served meta.version of version n, a weak ETag.
func formatVersion(n int64) string { return `W/"` + strconv.FormatInt(n, 10) + `"` }

// parseVersion reads W/"n", or "n" and n as a handler may pass them.
func parseVersion(s string) (int64, bool) {
	s = strings.TrimPrefix(s, "W/")
	s = strings.TrimSuffix(strings.TrimPrefix(s, `"`), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// dbTime is t as the database keeps it: UTC, to the microsecond (the
// precision of PostgreSQL and MySQL's DATETIME(6)), so that what Create and
// Replace return equals what User reads back.
func dbTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// newUUID returns a random (version 4) UUID.
// scanner is a row to scan: *sql.Row, or the store's row.
type scanner interface{ Scan(dest ...any) error }

// insert runs an INSERT of vals into cols of table and returns the new
// row's id: id itself when the store makes ids (the caller put it among
// vals), else the database's (RETURNING, or LastInsertId on MySQL). exec
// and queryRow run the statement: the store's, or a transaction's.
//
// A nil value is left out of the statement rather than sent as NULL: a
// value the request did not set is the column's default, so that a host's
// NOT NULL DEFAULT column (a display_name DEFAULT ”) is filled in by the
// database instead of refusing the row. The create answers what it sent;
// the meta times are never left out (see stampTimes).
func (s *Store) insert(ctx context.Context, table, idCol string, cols []string, vals []any, id string,
	exec func(context.Context, string, ...any) (sql.Result, error),
	queryRow func(context.Context, string, ...any) scanner) (string, error) {
	if slices.Contains(vals, nil) {
		cols, vals = slices.Clone(cols), slices.Clone(vals)
		for i := len(vals) - 1; i >= 0; i-- {
			if vals[i] == nil {
				cols, vals = slices.Delete(cols, i, i+1), slices.Delete(vals, i, i+1)
			}
		}
	}
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (" + s.phs(1, len(vals)) + ")"
	var err error
	switch {
	case s.cfg.IDs == UUIDs:
		_, err = exec(ctx, q, vals...)
	case s.cfg.Dialect == MySQL:
		var res sql.Result
		if res, err = exec(ctx, q, vals...); err == nil {
			var n int64
			n, err = res.LastInsertId()
			id = strconv.FormatInt(n, 10)
		}
	default:
		var n int64
		err = queryRow(ctx, q+" RETURNING "+idCol, vals...).Scan(&n)
		id = strconv.FormatInt(n, 10)
	}
	return id, err
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand's documented promise)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&0xf])
	}
	return string(out)
}

// stampTimes is m's created and last-modified times, the store's clock
// where one is zero (a caller other than the handler, which always sets
// them): written by the store rather than left to a column's default, so
// that every row's times have the one format keyset paging compares (a
// SQLite default such as CURRENT_TIMESTAMP writes another).
func stampTimes(m scim.Meta) (created, lastModified time.Time) {
	now := time.Now().UTC()
	created, lastModified = m.Created, m.LastModified
	if created.IsZero() {
		created = now
	}
	if lastModified.IsZero() {
		lastModified = created
	}
	return created, lastModified
}
