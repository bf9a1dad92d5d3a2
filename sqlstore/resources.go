package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

var (
	_ scim.ResourceStore        = (*Store)(nil)
	_ scim.ResourceKeysetLister = (*Store)(nil)
)

// resourceTable holds a declared type's names and fixed statements, built
// once by New.
type resourceTable struct {
	t    ResourceTable // with defaults
	cols []resourceColumn
	// prefix comes before a row's key in its id: IDPrefix with
	// DatabaseIDs, "" with UUIDs.
	prefix string
	// selectCols are the columns scanResource reads, in order: id,
	// version, externalId, created, lastModified, the JSON column (NULL
	// for those the table lacks), then cols.
	selectCols string
	// byID selects a row by id (and tenant); lock is byID taking the
	// row's write lock.
	byID, lock string
	order      keyOrder
	orderBy    string
	refs       []string // t.Type.References(), when the JSON column can hold them
}

func newResourceTable(s *Store, r ResourceTable) *resourceTable {
	k := r.withDefaults(s.cfg)
	rt := &resourceTable{t: k}
	rt.cols, _ = k.columns(s.cfg.Dialect)
	if s.cfg.IDs == DatabaseIDs {
		rt.prefix = k.IDPrefix
	}
	orNull := func(c string) string {
		if c == "" {
			return "NULL"
		}
		return c
	}
	cols := []string{k.ID, k.Version, orNull(k.ExternalID), orNull(k.Created), orNull(k.LastModified), orNull(k.JSON)}
	for _, c := range rt.cols {
		cols = append(cols, c.col)
	}
	rt.selectCols = strings.Join(cols, ", ")
	where, _ := s.keyWhereOf(k.ID, k.Tenant, 1)
	rt.byID = "SELECT " + rt.selectCols + " FROM " + k.Table + " WHERE " + where
	rt.lock = rt.byID
	if s.cfg.Dialect != SQLite {
		rt.lock += " FOR UPDATE"
	}
	rt.order = keyOrder{id: k.ID, nullsFirst: s.cfg.Dialect != PostgreSQL}
	rt.orderBy = k.ID
	if s.cfg.IDs == UUIDs && k.Created != "" {
		rt.order.created = k.Created
		rt.orderBy = k.Created + ", " + k.ID
	}
	if k.JSON != "" {
		rt.refs = k.Type.References()
	}
	return rt
}

// resourceTable returns the table of type t, or an error naming the type
// when Config.Resources has none.
func (s *Store) resourceTable(t *scim.ResourceType) (*resourceTable, error) {
	if t == nil {
		return nil, errors.New("sqlstore: a ResourceStore method was called without a resource type")
	}
	for _, rt := range s.resources {
		if strings.EqualFold(rt.t.Type.Name, t.Name) {
			return rt, nil
		}
	}
	return nil, fmt.Errorf("sqlstore: resource type %q has no table: add a ResourceTable for it to Config.Resources: %w", t.Name, errors.ErrUnsupported)
}

// resourceKey returns the tenant and the arguments of keyWhereOf for a
// served id, or an error wrapping scim.ErrNotFound for an id that cannot
// be one of the table's.
func (s *Store) resourceKey(ctx context.Context, rt *resourceTable, id string) (string, []any, error) {
	tenant, err := s.tenant(ctx)
	if err != nil {
		return "", nil, err
	}
	bare, ok := strings.CutPrefix(id, rt.prefix)
	var key any
	if ok {
		key, ok = s.idArg(bare)
	}
	if !ok {
		return "", nil, rt.notFound(id)
	}
	if rt.t.Tenant == "" {
		return tenant, []any{key}, nil
	}
	return tenant, []any{key, tenant}, nil
}

func (rt *resourceTable) notFound(id string) error {
	return fmt.Errorf("sqlstore: %s %q: %w", rt.t.Type.Name, id, scim.ErrNotFound)
}

// resourceValues are r's values for rt.cols, in order, and its JSON
// document (nil when it has no other attribute).
func (s *Store) resourceValues(rt *resourceTable, r *scim.Resource) ([]any, any, error) {
	vals := make([]any, len(rt.cols))
	for i, c := range rt.cols {
		v, err := customValue(Custom{Name: c.attr, Kind: c.kind}, r.Attributes[c.attr])
		if err != nil {
			return nil, nil, err
		}
		vals[i] = v
	}
	rest := make(map[string]any, len(r.Attributes))
	for name, v := range r.Attributes {
		if !slices.ContainsFunc(rt.cols, func(c resourceColumn) bool { return c.attr == name }) {
			rest[name] = v
		}
	}
	if len(rest) == 0 {
		return vals, nil, nil
	}
	if rt.t.JSON == "" {
		return nil, nil, fmt.Errorf("sqlstore: %s: attributes %v have no column and the table has no JSON column", rt.t.Type.Name, slices.Sorted(mapKeys(rest)))
	}
	data, err := scim.MarshalCustom(rest)
	if err != nil {
		return nil, nil, err
	}
	return vals, string(data), nil
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// resourceRow is what a row of a declared type holds, as read or written.
type resourceRow struct {
	key               string
	version           int64
	ext, doc          sql.NullString
	created, modified sql.NullTime
	vals              []any // rt.cols' values
}

// resource builds the resource a row holds, as the store serves it.
func (rt *resourceTable) resource(row *resourceRow) *scim.Resource {
	r := &scim.Resource{ID: rt.prefix + row.key, ExternalID: row.ext.String, Attributes: map[string]any{},
		Meta: scim.Meta{Version: formatVersion(row.version)}}
	if row.created.Valid {
		r.Meta.Created = dbTime(row.created.Time)
	}
	r.Meta.LastModified = r.Meta.Created
	if row.modified.Valid {
		r.Meta.LastModified = dbTime(row.modified.Time)
	}
	if row.doc.Valid && row.doc.String != "" {
		// A value the store did not write reads as no attributes rather
		// than failing every read of the resource.
		if m, err := scim.UnmarshalCustom([]byte(row.doc.String)); err == nil {
			r.Attributes = m
		}
	}
	for i, c := range rt.cols {
		if v := row.vals[i]; v != nil && v != "" {
			r.Attributes[c.attr] = v
		}
	}
	return r
}

// scanResource reads one row of rt.selectCols with scan, and returns the
// resource and its position in rt.order.
func (s *Store) scanResource(rt *resourceTable, scan func(...any) error) (*scim.Resource, keyPos, error) {
	var row resourceRow
	var key sql.NullString
	hs := make([]holder, len(rt.cols))
	dest := []any{&key, &row.version, &row.ext, &row.created, &row.modified, &row.doc}
	for i, c := range rt.cols {
		dest = append(dest, hs[i].dest(column{kind: c.kind}))
	}
	if err := scan(dest...); err != nil {
		return nil, keyPos{}, err
	}
	row.key = key.String
	row.vals = make([]any, len(rt.cols))
	for i, c := range rt.cols {
		row.vals[i] = hs[i].value(column{kind: c.kind})
	}
	var created any
	if row.created.Valid {
		created = row.created.Time
	}
	p, err := s.rowPos(row.key, created)
	return rt.resource(&row), p, err
}

// CreateResource inserts r with version 1, in a transaction that first
// checks the type's unique attributes (see checkUnique).
func (s *Store) CreateResource(ctx context.Context, t *scim.ResourceType, r *scim.Resource) (*scim.Resource, error) {
	if r.Meta.Created.IsZero() || r.Meta.LastModified.IsZero() {
		c := *r
		c.Meta.Created, c.Meta.LastModified = stampTimes(r.Meta)
		r = &c
	}
	rt, err := s.resourceTable(t)
	if err != nil {
		return nil, err
	}
	tenant, err := s.tenant(ctx)
	if err != nil {
		return nil, err
	}
	vals, doc, err := s.resourceValues(rt, r)
	if err != nil {
		return nil, err
	}
	k := rt.t
	row := resourceRow{version: 1, vals: vals,
		ext: sql.NullString{String: r.ExternalID, Valid: r.ExternalID != "" && k.ExternalID != ""}}
	cols, args := []string{k.Version}, []any{int64(1)}
	add := func(col string, v any) {
		if col != "" {
			cols, args = append(cols, col), append(args, v)
		}
	}
	add(k.Tenant, tenant)
	add(k.ExternalID, nullString(r.ExternalID))
	if k.Created != "" {
		row.created = sql.NullTime{Time: r.Meta.Created, Valid: !r.Meta.Created.IsZero()}
		add(k.Created, nullTime(r.Meta.Created))
	}
	if k.LastModified != "" {
		row.modified = sql.NullTime{Time: r.Meta.LastModified, Valid: !r.Meta.LastModified.IsZero()}
		add(k.LastModified, nullTime(r.Meta.LastModified))
	}
	if doc != nil {
		row.doc = sql.NullString{String: doc.(string), Valid: true}
		add(k.JSON, doc)
	}
	for i, c := range rt.cols {
		add(c.col, vals[i])
	}
	for i, c := range rt.cols {
		if c.folded != "" && s.cfg.Dialect == SQLite {
			add(c.folded, foldValue(vals[i]))
		}
	}
	var stored *scim.Resource
	err = s.inTx(ctx, func(tx txConn) error {
		if err := s.checkUnique(ctx, tx, rt, tenant, r, nil); err != nil {
			return err
		}
		id, cols, args := "", slices.Clone(cols), slices.Clone(args)
		if s.cfg.IDs == UUIDs {
			id = newUUID()
			cols, args = append(cols, k.ID), append(args, id)
		}
		var err error
		row.key, err = s.insert(ctx, k.Table, k.ID, cols, args, id, tx.ExecContext,
			func(ctx context.Context, q string, args ...any) scanner { return tx.QueryRowContext(ctx, q, args...) })
		if err != nil {
			return rt.writeError("create "+t.Name, err)
		}
		key, _ := s.idArg(row.key)
		return s.indexRefs(ctx, tx, rt, tenant, key, nil, r.Attributes)
	})
	if err != nil {
		return nil, err
	}
	if stored != nil {
		return stored, nil
	}
	return rt.resource(&row), nil
}

// Resource reads the resource's row.
func (s *Store) Resource(ctx context.Context, t *scim.ResourceType, id string) (*scim.Resource, error) {
	rt, err := s.resourceTable(t)
	if err != nil {
		return nil, err
	}
	_, key, err := s.resourceKey(ctx, rt, id)
	if err != nil {
		return nil, err
	}
	r, _, err := s.scanResource(rt, s.queryRow(ctx, rt.byID, key...).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rt.notFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: read %s %q: %w", t.Name, id, err)
	}
	return r, nil
}

// lockResource reads the resource's row with its write lock and checks
// the version: an error wraps scim.ErrNotFound or scim.ErrVersionMismatch.
func (s *Store) lockResource(ctx context.Context, tx txConn, rt *resourceTable, id string, key []any, version string) (*scim.Resource, error) {
	cur, _, err := s.scanResource(rt, tx.QueryRowContext(ctx, rt.lock, key...).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rt.notFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: lock %s %q: %w", rt.t.Type.Name, id, err)
	}
	if version != "" {
		want, ok := parseVersion(version)
		if have, _ := parseVersion(cur.Meta.Version); !ok || have != want {
			return nil, fmt.Errorf("sqlstore: %s %q: version %s (stored %s): %w", rt.t.Type.Name, id, version, cur.Meta.Version, scim.ErrVersionMismatch)
		}
	}
	return cur, nil
}

// ReplaceResource updates every column but id, tenant and created, in a
// transaction that checks the unique attributes, then holds the row's
// write lock and compares the version (any, when version is empty).
func (s *Store) ReplaceResource(ctx context.Context, t *scim.ResourceType, r *scim.Resource, version string) (*scim.Resource, error) {
	rt, err := s.resourceTable(t)
	if err != nil {
		return nil, err
	}
	tenant, key, err := s.resourceKey(ctx, rt, r.ID)
	if err != nil {
		return nil, err
	}
	vals, doc, err := s.resourceValues(rt, r)
	if err != nil {
		return nil, err
	}
	k := rt.t
	var sets []string
	var args []any
	set := func(col string, v any) {
		if col != "" {
			args = append(args, v)
			sets = append(sets, col+" = "+s.ph(len(args)))
		}
	}
	set(k.ExternalID, nullString(r.ExternalID))
	set(k.LastModified, nullTime(r.Meta.LastModified))
	set(k.JSON, doc)
	for i, c := range rt.cols {
		set(c.col, vals[i])
	}
	for i, c := range rt.cols {
		if c.folded != "" && s.cfg.Dialect == SQLite {
			set(c.folded, foldValue(vals[i]))
		}
	}
	sets = append(sets, k.Version+" = "+k.Version+" + 1")
	where, _ := s.keyWhereOf(k.ID, k.Tenant, len(args)+1)
	q := "UPDATE " + k.Table + " SET " + strings.Join(sets, ", ") + " WHERE " + where
	var out *scim.Resource
	err = s.inTx(ctx, func(tx txConn) error {
		// The unique attributes' lock first, the row's second: the order
		// every write of the type takes.
		if err := s.checkUnique(ctx, tx, rt, tenant, r, key[0]); err != nil {
			return err
		}
		cur, err := s.lockResource(ctx, tx, rt, r.ID, key, version)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, q, append(slices.Clone(args), key...)...); err != nil {
			return rt.writeError(fmt.Sprintf("replace %s %q", t.Name, r.ID), err)
		}
		if err := s.indexRefs(ctx, tx, rt, tenant, key[0], cur.Attributes, r.Attributes); err != nil {
			return err
		}
		v, _ := parseVersion(cur.Meta.Version)
		row := resourceRow{key: strings.TrimPrefix(r.ID, rt.prefix), version: v + 1, vals: vals,
			ext:     sql.NullString{String: r.ExternalID, Valid: r.ExternalID != "" && k.ExternalID != ""},
			created: sql.NullTime{Time: cur.Meta.Created, Valid: !cur.Meta.Created.IsZero()}}
		if k.LastModified != "" {
			row.modified = sql.NullTime{Time: r.Meta.LastModified, Valid: !r.Meta.LastModified.IsZero()}
		}
		if doc != nil {
			row.doc = sql.NullString{String: doc.(string), Valid: true}
		}
		out = rt.resource(&row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteResource deletes the resource's row, when the stored version is
// the one given (any, when version is empty), with its rows in the
// references table, and drops its id from the references of every
// declared resource of the tenant, in one transaction.
func (s *Store) DeleteResource(ctx context.Context, t *scim.ResourceType, id, version string) error {
	rt, err := s.resourceTable(t)
	if err != nil {
		return err
	}
	tenant, key, err := s.resourceKey(ctx, rt, id)
	if err != nil {
		return err
	}
	k := rt.t
	where, _ := s.keyWhereOf(k.ID, k.Tenant, 1)
	return s.inTx(ctx, func(tx txConn) error {
		cur, err := s.lockResource(ctx, tx, rt, id, key, version)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+k.Table+" WHERE "+where, key...); err != nil {
			return fmt.Errorf("sqlstore: delete %s %q: %w", t.Name, id, err)
		}
		if err := s.indexRefs(ctx, tx, rt, tenant, key[0], cur.Attributes, nil); err != nil {
			return err
		}
		return s.dropReferences(ctx, tx, tenant, id)
	})
}

// writeError wraps a failed INSERT or UPDATE: a unique index's violation
// (a writer that did not take the store's lock, or MySQL's, where the
// index is the lock: see checkUnique) wraps scim.ErrUniqueness.
func (rt *resourceTable) writeError(op string, err error) error {
	if isUniqueViolation(err) {
		return fmt.Errorf("sqlstore: %s: another %s of the tenant has one of its unique values: %w: %w", op, rt.t.Type.Name, scim.ErrUniqueness, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// foldValue is a unique string's folded value as SQLite's store writes it
// (see foldString); nil stays nil.
func foldValue(v any) any {
	if s, ok := v.(string); ok {
		return foldString(s)
	}
	return v
}

// filterValue is v as a filter literal, false for a value that is not a
// single string, boolean, integer or time.
func filterValue(v any) (filter.Value, bool) {
	switch v := v.(type) {
	case string:
		return filter.Value{Kind: filter.String, Str: v}, true
	case bool:
		return filter.Value{Kind: filter.Bool, Bool: v}, true
	case int64:
		return filter.Value{Kind: filter.Number, Num: float64(v)}, true
	case time.Time:
		return filter.Value{Kind: filter.DateTime, Time: v, Str: v.UTC().Format(time.RFC3339Nano)}, true
	}
	return filter.Value{}, false
}
