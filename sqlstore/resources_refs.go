package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scimkit/scim"
)

// References (ResourceType.References) are kept twice: in the resource's
// JSON column, which is what a read serves, and in the type's references
// table (ResourceTable.Refs), one row per (tenant, id named, resource),
// whose primary key finds the resources naming an id in one index range.
// Every write of a declared resource changes both in its transaction, the
// table by the difference between the old and the new ids only, so that a
// delete costs O(references to the deleted id · log n) whatever the
// number of resources the tenant holds.

// maxRefID is the longest reference value the references table holds, in
// bytes: what a MySQL index may cover beside the tenant. Longer values
// name no id the store serves (a UUID is 36 bytes, a database id a prefix
// and a number) and are kept in the JSON column only.
const maxRefID = 255

// refersTo reports whether a declared type refers to other resources
// (ResourceType.References), so that deletes must drop their ids.
func (s *Store) refersTo() bool {
	for _, rt := range s.resources {
		if len(rt.refs) > 0 {
			return true
		}
	}
	return false
}

// refTargets returns the ids that the reference attributes refs of attrs
// name, each once, sorted; those longer than maxRefID are left out.
func refTargets(attrs map[string]any, refs []string) []string {
	var out []string
	add := func(m map[string]any) {
		if v, ok := m["value"].(string); ok && v != "" && len(v) <= maxRefID {
			out = append(out, v)
		}
	}
	for _, name := range refs {
		switch list := attrs[name].(type) {
		case []map[string]any:
			for _, m := range list {
				add(m)
			}
		case []any:
			for _, e := range list {
				if m, ok := e.(map[string]any); ok {
					add(m)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// minus returns the elements of the sorted a that the sorted b lacks.
func minus(a, b []string) []string {
	var out []string
	for _, v := range a {
		if _, found := slices.BinarySearch(b, v); !found {
			out = append(out, v)
		}
	}
	return out
}

// indexRefs brings the references table's rows of the resource whose key
// column holds key from the ids old names to those next names (nil: a
// create, or a delete): the rows of ids that went are deleted, those of
// ids that came inserted, and those of ids that stayed not touched. The
// caller holds the resource's row: its lock comes before its references'
// rows in every transaction, dropReferences' included.
func (s *Store) indexRefs(ctx context.Context, tx txConn, rt *resourceTable, tenant string, key any, old, next map[string]any) error {
	if len(rt.refs) == 0 {
		return nil
	}
	was, is := refTargets(old, rt.refs), refTargets(next, rt.refs)
	refs := rt.t.Refs
	for part := range slices.Chunk(minus(was, is), chunk) {
		q := "DELETE FROM " + refs + " WHERE tenant = " + s.ph(1) + " AND resource_id = " + s.ph(2) +
			" AND target_id IN (" + s.phs(3, len(part)) + ")"
		args := append([]any{tenant, key}, anys(part)...)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("sqlstore: %s: update the references index %s: %w", rt.t.Type.Name, refs, err)
		}
	}
	// A row already there (one the index gained before the resource's
	// document named it) is kept: the insert ignores it.
	head, tail := s.insertIgnoring()
	for part := range slices.Chunk(minus(is, was), chunk/3) {
		var b strings.Builder
		args := make([]any, 0, 3*len(part))
		b.WriteString(head + refs + " (tenant, target_id, resource_id) VALUES ")
		for i, target := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + s.phs(len(args)+1, 3) + ")")
			args = append(args, tenant, target, key)
		}
		if _, err := tx.ExecContext(ctx, b.String()+tail, args...); err != nil {
			return fmt.Errorf("sqlstore: %s: update the references index %s: %w", rt.t.Type.Name, refs, err)
		}
	}
	return nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// dropReferences removes the deleted resource id (a user's, a group's or
// a declared resource's, as served) from the references of every declared
// resource of the tenant, in the delete's transaction, and gives each
// resource changed a new version.
//
// The references table names the resources to rewrite: one range of its
// primary key, read without a lock. Their rows are then locked in key
// order, which is every delete's order, so two deletes naming the same
// resources wait for each other rather than deadlock; a resource's writes
// lock its row before its references too. Each locked row's document is
// rewritten in Go (a row whose document no longer names the id, changed
// since the read, is left as it is), and the index rows read are deleted.
func (s *Store) dropReferences(ctx context.Context, tx txConn, tenant, id string) error {
	if len(id) > maxRefID {
		return nil
	}
	now := dbTime(time.Now())
	for _, rt := range s.resources {
		if len(rt.refs) == 0 {
			continue
		}
		k := rt.t
		fail := func(err error) error {
			return fmt.Errorf("sqlstore: drop references to %q from %s: %w", id, k.Type.Name, err)
		}
		q, args := s.refsQuery(rt, tenant, id)
		keys, err := queryStrings(ctx, tx, q, args...)
		if err != nil {
			return fail(err)
		}
		for part := range slices.Chunk(keys, chunk) {
			q, args := s.refsLockQuery(rt, tenant, part)
			type candidate struct{ key, doc string }
			var cands []candidate
			rows, err := tx.QueryContext(ctx, q, args...)
			if err != nil {
				return fail(err)
			}
			for rows.Next() {
				var c candidate
				var doc *string
				if err := rows.Scan(&c.key, &doc); err != nil {
					rows.Close()
					return fail(err)
				}
				if doc != nil {
					c.doc = *doc
				}
				cands = append(cands, c)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fail(err)
			}
			for _, c := range cands {
				if err := s.rewriteWithout(ctx, tx, rt, tenant, c.key, c.doc, id, now); err != nil {
					return err
				}
			}
			del := "DELETE FROM " + k.Refs + " WHERE tenant = " + s.ph(1) + " AND target_id = " + s.ph(2) +
				" AND resource_id IN (" + s.phs(3, len(part)) + ")"
			dargs := []any{tenant, id}
			for _, key := range part {
				a, _ := s.idArg(key)
				dargs = append(dargs, a)
			}
			if _, err := tx.ExecContext(ctx, del, dargs...); err != nil {
				return fail(err)
			}
		}
	}
	return nil
}

// refsQuery is the lookup of the keys of rt's resources that name id in
// the tenant, in key order: a range of the references table's primary key.
func (s *Store) refsQuery(rt *resourceTable, tenant, id string) (string, []any) {
	return "SELECT resource_id FROM " + rt.t.Refs + " WHERE tenant = " + s.ph(1) + " AND target_id = " + s.ph(2) +
		" ORDER BY resource_id", []any{tenant, id}
}

// refsLockQuery reads, and on PostgreSQL, MySQL and MariaDB locks, the
// rows of rt whose keys are keys (sorted), in key order, by primary key.
func (s *Store) refsLockQuery(rt *resourceTable, tenant string, keys []string) (string, []any) {
	k := rt.t
	var b strings.Builder
	args := make([]any, 0, len(keys)+1)
	b.WriteString("SELECT " + k.ID + ", " + k.JSON + " FROM " + k.Table + " WHERE " + k.ID + " IN (")
	for i, key := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		a, _ := s.idArg(key)
		args = append(args, a)
		b.WriteString(s.idPH(len(args)))
	}
	b.WriteString(")")
	if k.Tenant != "" {
		args = append(args, tenant)
		b.WriteString(" AND " + k.Tenant + " = " + s.ph(len(args)))
	}
	b.WriteString(" ORDER BY " + k.ID)
	if s.cfg.Dialect != SQLite {
		b.WriteString(" FOR UPDATE")
	}
	return b.String(), args
}

// rewriteWithout stores the document doc of rt's resource key without the
// elements naming id, with a new version, unless it names none.
func (s *Store) rewriteWithout(ctx context.Context, tx txConn, rt *resourceTable, tenant, key, doc, id string, now time.Time) error {
	k := rt.t
	attrs, err := scim.UnmarshalCustom([]byte(doc))
	if err != nil || !dropID(attrs, rt.refs, id) {
		return nil // not the store's document, or no longer naming id
	}
	var next any
	if len(attrs) > 0 {
		data, err := scim.MarshalCustom(attrs)
		if err != nil {
			return err
		}
		next = string(data)
	}
	sets := k.JSON + " = " + s.ph(1) + ", " + k.Version + " = " + k.Version + " + 1"
	args := []any{next}
	if k.LastModified != "" {
		args = append(args, now)
		sets += ", " + k.LastModified + " = " + s.ph(2)
	}
	a, _ := s.idArg(key)
	args = append(args, a)
	where, _ := s.keyWhereOf(k.ID, k.Tenant, len(args))
	if k.Tenant != "" {
		args = append(args, tenant)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE "+k.Table+" SET "+sets+" WHERE "+where, args...); err != nil {
		return fmt.Errorf("sqlstore: drop references to %q from %s %q: %w", id, k.Type.Name, rt.prefix+key, err)
	}
	return nil
}

// queryStrings runs q and returns its single column's values.
func queryStrings(ctx context.Context, tx txConn, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// dropID removes the elements whose value is id from the reference
// attributes refs of attrs, removing an attribute left empty, and reports
// whether it changed anything.
func dropID(attrs map[string]any, refs []string, id string) bool {
	changed := false
	for _, name := range refs {
		list, ok := attrs[name].([]map[string]any)
		if !ok {
			continue
		}
		kept := make([]map[string]any, 0, len(list))
		for _, m := range list {
			if v, _ := m["value"].(string); v != id {
				kept = append(kept, m)
			}
		}
		if len(kept) == len(list) {
			continue
		}
		changed = true
		if len(kept) == 0 {
			delete(attrs, name)
		} else {
			attrs[name] = kept
		}
	}
	return changed
}

// checkRefsTables reports each references table of Config.Resources that
// is missing, lacks a column, or lacks the primary key (tenant,
// target_id, resource_id) (or a unique index on those columns), with the
// statement that creates it: without the key, a delete would read the
// whole table to find the resources naming an id.
func (s *Store) checkRefsTables(ctx context.Context) ([]string, error) {
	var problems []string
	for _, rt := range s.resources {
		if len(rt.refs) == 0 {
			continue
		}
		k := rt.t
		create := s.cfg.refsCreate(k)
		cols, err := s.catalogColumnsOf(ctx, k.Refs)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: Check: reading the columns of %s: %w", k.Refs, err)
		}
		if len(cols) == 0 {
			problems = append(problems, fmt.Sprintf("%s: references table %s does not exist (deletes find the %s resources naming an id there); create it with:\n\t\t%s",
				k.Type.Name, k.Refs, k.Type.Name, strings.ReplaceAll(create, "\n", "\n\t\t")))
			continue
		}
		var missing []string
		for _, c := range []string{"tenant", "target_id", "resource_id"} {
			if _, ok := lookupColumn(cols, c); !ok {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			problems = append(problems, fmt.Sprintf("%s: references table %s lacks columns %s; drop it and create it with:\n\t\t%s",
				k.Type.Name, k.Refs, strings.Join(missing, ", "), strings.ReplaceAll(create, "\n", "\n\t\t")))
			continue
		}
		indexes, err := s.uniqueIndexColumns(ctx, k.Refs)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: Check: reading the unique indexes of %s: %w", k.Refs, err)
		}
		want := []string{"tenant", "target_id", "resource_id"}
		if !slices.ContainsFunc(indexes, func(idx []string) bool { return slicesEqualFold(idx, want) }) {
			problems = append(problems, fmt.Sprintf("%s: references table %s has no primary key or unique index on (tenant, target_id, resource_id); without it every delete reads the whole table: create it with: CREATE UNIQUE INDEX %s_key ON %s (tenant, target_id, resource_id)",
				k.Type.Name, k.Refs, indexBase(k.Refs), k.Refs))
		}
	}
	return problems, nil
}
