package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"strings"
)

// checkIDsApart refuses a configuration under which a user and a group
// can have one id (RFC 7643 §3.1 wants ids unique across resource types):
// groups served over bare DatabaseIDs (GroupTables.IDPrefix "-") from a
// sequence of their own. Validate refuses "-" where tables cannot share a
// sequence; on PostgreSQL both id columns must default to nextval of the
// same one.
func (s *Store) checkIDsApart(ctx context.Context) error {
	if s.groups == nil || s.cfg.IDs != DatabaseIDs || s.groups.prefix != "" {
		return nil
	}
	t := s.groups.t
	users, err := s.pgDefault(ctx, s.cfg.Table, s.cfg.Columns.ID)
	if err != nil {
		return fmt.Errorf("sqlstore: Check: reading the default of %s.%s: %w", s.cfg.Table, s.cfg.Columns.ID, err)
	}
	groups, err := s.pgDefault(ctx, t.Table, t.Columns.ID)
	if err != nil {
		return fmt.Errorf("sqlstore: Check: reading the default of %s.%s: %w", t.Table, t.Columns.ID, err)
	}
	if strings.HasPrefix(users, "nextval(") && users == groups {
		return nil
	}
	return fmt.Errorf("sqlstore: Check: Config.Groups.IDPrefix is \"-\", but user ids (%s.%s, default %s) and group ids (%s.%s, default %s) do not come from one sequence, so a user and a group can have the same id (RFC 7643 §3.1 wants ids unique across resource types): leave Config.Groups.IDPrefix empty to serve groups as \"g-12\", or give both columns DEFAULT nextval of one sequence",
		s.cfg.Table, s.cfg.Columns.ID, cmp.Or(users, "none"), t.Table, t.Columns.ID, cmp.Or(groups, "none"))
}

// pgDefault is the column default PostgreSQL's catalog holds for a column
// of table, "" when it has none (an identity column has none: its
// sequence is its own).
func (s *Store) pgDefault(ctx context.Context, table, column string) (string, error) {
	schema, name := pgTable(table)
	rows, err := s.db.QueryContext(ctx, `SELECT column_name, COALESCE(column_default, '') FROM information_schema.columns
		WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2`, schema, name)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	defaults := map[string]string{}
	for rows.Next() {
		var c, d string
		if err := rows.Scan(&c, &d); err != nil {
			return "", err
		}
		defaults[c] = d
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	d, _ := lookupColumn(defaults, column)
	return d, nil
}
