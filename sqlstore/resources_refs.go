package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/scimkit/scim"
)

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

// dropReferences removes the deleted resource id (a user's, a group's or
// a declared resource's, as served) from the references of every declared
// resource of the tenant, in the delete's transaction, and gives each
// resource changed a new version. References live in the JSON column: the
// candidates are the rows whose document contains the quoted id (a LIKE,
// locking them), and each is rewritten in Go.
func (s *Store) dropReferences(ctx context.Context, tx txConn, tenant, id string) error {
	pattern := `%"` + likeEscaper.Replace(id) + `"%`
	now := dbTime(time.Now())
	for _, rt := range s.resources {
		if len(rt.refs) == 0 {
			continue
		}
		k := rt.t
		doc := k.JSON
		if s.cfg.Dialect == PostgreSQL {
			doc += "::text"
		}
		q := "SELECT " + k.ID + ", " + k.JSON + " FROM " + k.Table + " WHERE " + doc + " LIKE " + s.ph(1) + " ESCAPE '!'"
		args := []any{pattern}
		if k.Tenant != "" {
			args = append(args, tenant)
			q += " AND " + k.Tenant + " = " + s.ph(2)
		}
		if s.cfg.Dialect != SQLite {
			q += " FOR UPDATE"
		}
		type candidate struct{ key, doc string }
		var cands []candidate
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("sqlstore: drop references to %q from %s: %w", id, k.Type.Name, err)
		}
		for rows.Next() {
			var c candidate
			if err := rows.Scan(&c.key, &c.doc); err != nil {
				rows.Close()
				return fmt.Errorf("sqlstore: drop references to %q from %s: %w", id, k.Type.Name, err)
			}
			cands = append(cands, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlstore: drop references to %q from %s: %w", id, k.Type.Name, err)
		}
		for _, c := range cands {
			attrs, err := scim.UnmarshalCustom([]byte(c.doc))
			if err != nil {
				continue // not the store's document: nothing it can rewrite
			}
			if !dropID(attrs, rt.refs, id) {
				continue
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
			uargs := []any{next}
			if k.LastModified != "" {
				uargs = append(uargs, now)
				sets += ", " + k.LastModified + " = " + s.ph(2)
			}
			key, _ := s.idArg(c.key)
			uargs = append(uargs, key)
			where, _ := s.keyWhereOf(k.ID, k.Tenant, len(uargs))
			if k.Tenant != "" {
				uargs = append(uargs, tenant)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE "+k.Table+" SET "+sets+" WHERE "+where, uargs...); err != nil {
				return fmt.Errorf("sqlstore: drop references to %q from %s %q: %w", id, k.Type.Name, rt.prefix+c.key, err)
			}
		}
	}
	return nil
}

// likeEscaper escapes LIKE's wildcards with '!' (ESCAPE '!'), which needs
// no escaping in any dialect's string literals.
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

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
