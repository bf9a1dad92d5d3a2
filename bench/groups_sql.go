package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// newSQLGroups builds a group fixture (newSQLFixture with group tables:
// users 1,000 to a statement, members from an array, W9's groups from
// generate_series) and serves it with scimkit over sqlstore (sqlstore) or
// with a bare handler running the statements sqlstore runs directly
// (sqldirect). Close drops the tables.
func newSQLGroups(ctx context.Context, name string, s GroupSizes) (*groupPeer, error) {
	f, err := newSQLFixture(ctx, s.users(), true)
	if err != nil {
		return nil, err
	}
	g := f.cfg.Groups
	small, big, wide, out := s.layout(f.ids)
	p := &groupPeer{fix: groupFixture{Out: out}}
	mk := func(name string, ms []string) (string, error) {
		id := newUUID()
		if _, err := f.db.ExecContext(ctx, "INSERT INTO "+g.Table+" (id, display_name, created, last_modified, version) VALUES ($1, $2, $3, $3, 1)", id, name, epoch); err != nil {
			return "", err
		}
		if _, err := f.db.ExecContext(ctx, "INSERT INTO "+g.Members+" (group_id, member_id, member_type) SELECT $1, x, 'User' FROM unnest($2::text[]) AS x", id, ms); err != nil {
			return "", err
		}
		return id, nil
	}
	if p.fix.Small, err = mk("small", small); err != nil {
		return nil, f.fail(err)
	}
	if p.fix.Big, err = mk("big", big); err != nil {
		return nil, f.fail(err)
	}
	if p.fix.Wide, err = mk("wide", wide); err != nil {
		return nil, f.fail(err)
	}
	if _, err := f.db.ExecContext(ctx, "INSERT INTO "+g.Table+" (id, display_name, created, last_modified, version) SELECT gen_random_uuid()::text, 'Team ' || k, $1, $1, 1 FROM generate_series(0, $2::int - 1) AS k", epoch, s.Groups); err != nil {
		return nil, f.fail(err)
	}
	if err := f.analyze(ctx); err != nil {
		return nil, f.fail(err)
	}
	if name == PeerSQLDirect {
		h, err := newSQLDirectGroups(ctx, f.db, f.cfg.Table, g.Table, g.Members)
		if err != nil {
			return nil, f.fail(err)
		}
		p.handler = h
		p.close = func() error { h.close(); return f.close() }
		return p, nil
	}
	if p.handler, p.close, err = f.scimkit(); err != nil {
		return nil, f.fail(err)
	}
	return p, nil
}

// sqlDirectGroups serves the group workloads with prepared statements of
// the kind sqlstore runs, json.Marshal and the bare handler's types:
//
//   - W6, in one transaction: the added member's existence (FOR SHARE),
//     the group's row (FOR UPDATE), DELETE of the removed membership,
//     INSERT … ON CONFLICT DO NOTHING of the added one, and the group's
//     version bump;
//   - W7: the group's row; W8: the row and its members;
//   - W9: a page by lower(display_name), and COUNT only when the page
//     cannot tell the total, as sqlstore's ListGroups pages.
type sqlDirectGroups struct {
	db                                     *sql.DB
	byID, members, count, page             *sql.Stmt
	userExists, lock, remove, insert, bump *sql.Stmt
}

func newSQLDirectGroups(ctx context.Context, db *sql.DB, users, groups, members string) (*sqlDirectGroups, error) {
	// sqlstore's columns: a handler that answers with externalId reads it.
	const cols = "id, display_name, external_id, created, last_modified, version"
	h := &sqlDirectGroups{db: db}
	err := prepare(ctx, db, map[**sql.Stmt]string{
		&h.byID:       "SELECT " + cols + " FROM " + groups + " WHERE id = $1",
		&h.members:    "SELECT member_id, member_type FROM " + members + " WHERE group_id = $1",
		&h.count:      "SELECT COUNT(*) FROM " + groups + " WHERE lower(display_name) = lower($1)",
		&h.page:       "SELECT " + cols + " FROM " + groups + " WHERE lower(display_name) = lower($1) ORDER BY created, id LIMIT $2 OFFSET $3",
		&h.userExists: "SELECT id FROM " + users + " WHERE id IN ($1) FOR SHARE",
		&h.lock:       "SELECT version FROM " + groups + " WHERE id = $1 FOR UPDATE",
		&h.remove:     "DELETE FROM " + members + " WHERE group_id = $1 AND member_id IN ($2)",
		&h.insert:     "INSERT INTO " + members + " (group_id, member_id, member_type) VALUES ($1, $2, 'User') ON CONFLICT DO NOTHING",
		&h.bump:       "UPDATE " + groups + " SET last_modified = $1, version = version + 1 WHERE id = $2",
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

func (h *sqlDirectGroups) close() {
	closeStmts(h.byID, h.members, h.count, h.page, h.userExists, h.lock, h.remove, h.insert, h.bump)
}

// group reads one group's row, and its members when asked.
func (h *sqlDirectGroups) group(ctx context.Context, rows *sql.Rows, withMembers bool) ([]bareGroupJSON, error) {
	defer rows.Close()
	var out []bareGroupJSON
	for rows.Next() {
		var (
			g       bareGroupJSON
			ext     sql.NullString
			version int
		)
		if err := rows.Scan(&g.ID, &g.DisplayName, &ext, &g.Meta.Created, &g.Meta.LastModified, &version); err != nil {
			return nil, err
		}
		g.ExternalID = ext.String
		g.Schemas = []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}
		g.Meta.ResourceType, g.Meta.Version, g.Meta.Location = "Group", `W/"`+strconv.Itoa(version)+`"`, bareHost+"/Groups/"+g.ID
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if withMembers && len(out) == 1 {
		mrows, err := h.members.QueryContext(ctx, out[0].ID)
		if err != nil {
			return nil, err
		}
		defer mrows.Close()
		out[0].Members = []bareMember{}
		for mrows.Next() {
			var m bareMember
			if err := mrows.Scan(&m.Value, &m.Type); err != nil {
				return nil, err
			}
			out[0].Members = append(out[0].Members, m)
		}
		if err := mrows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (h *sqlDirectGroups) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, one := strings.CutPrefix(r.URL.Path, "/Groups/")
	excluded := strings.Contains(r.URL.RawQuery, "excludedAttributes=members")
	switch {
	case r.Method == http.MethodGet && one:
		rows, err := h.byID.QueryContext(ctx, id)
		var gs []bareGroupJSON
		if err == nil {
			gs, err = h.group(ctx, rows, !excluded)
		}
		switch {
		case err != nil:
			bareError(w, http.StatusInternalServerError)
		case len(gs) == 0:
			bareError(w, http.StatusNotFound)
		default:
			writeJSON(w, http.StatusOK, gs[0])
		}
	case r.Method == http.MethodGet && r.URL.Path == "/Groups":
		q := r.URL.Query()
		start, count := pageParams(q)
		name, ok := strings.CutPrefix(q.Get("filter"), `displayName eq "`)
		name, ok2 := strings.CutSuffix(name, `"`)
		if !ok || !ok2 {
			bareError(w, http.StatusBadRequest)
			return
		}
		l := bareGroupList{Schemas: listSchemas, StartIndex: start, Resources: []bareGroupJSON{}}
		var err error
		l.TotalResults, err = sqlPage(start, count,
			func() (int, error) {
				rows, err := h.page.QueryContext(ctx, name, count, start-1)
				if err != nil {
					return 0, err
				}
				gs, err := h.group(ctx, rows, false)
				if gs != nil {
					l.Resources = gs
				}
				return len(gs), err
			},
			func() (n int, err error) { return n, h.count.QueryRowContext(ctx, name).Scan(&n) })
		if err != nil {
			bareError(w, http.StatusInternalServerError)
			return
		}
		l.ItemsPerPage = len(l.Resources)
		writeJSON(w, http.StatusOK, l)
	case r.Method == http.MethodPatch && one:
		h.patch(w, r, id)
	default:
		bareError(w, http.StatusNotFound)
	}
}

// patch serves W6's shape only: one add of one member and one remove by
// members[value eq "…"].
func (h *sqlDirectGroups) patch(w http.ResponseWriter, r *http.Request, id string) {
	var req patchRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Operations) != 2 {
		bareError(w, http.StatusBadRequest)
		return
	}
	var add []bareMember
	if err := json.Unmarshal(req.Operations[0].Value, &add); err != nil || len(add) != 1 || req.Operations[0].Path != "members" {
		bareError(w, http.StatusBadRequest)
		return
	}
	remove, ok := strings.CutPrefix(req.Operations[1].Path, `members[value eq "`)
	remove, ok2 := strings.CutSuffix(remove, `"]`)
	if !ok || !ok2 {
		bareError(w, http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		bareError(w, http.StatusInternalServerError)
		return
	}
	defer tx.Rollback()
	status, version := func() (int, int) {
		var found string
		if err := tx.StmtContext(ctx, h.userExists).QueryRowContext(ctx, add[0].Value).Scan(&found); err == sql.ErrNoRows {
			return http.StatusBadRequest, 0
		} else if err != nil {
			return http.StatusInternalServerError, 0
		}
		var v int
		if err := tx.StmtContext(ctx, h.lock).QueryRowContext(ctx, id).Scan(&v); err == sql.ErrNoRows {
			return http.StatusNotFound, 0
		} else if err != nil {
			return http.StatusInternalServerError, 0
		}
		res, err := tx.StmtContext(ctx, h.remove).ExecContext(ctx, id, remove)
		if err != nil {
			return http.StatusInternalServerError, 0
		}
		removed, _ := res.RowsAffected()
		if res, err = tx.StmtContext(ctx, h.insert).ExecContext(ctx, id, add[0].Value); err != nil {
			return http.StatusInternalServerError, 0
		}
		added, _ := res.RowsAffected()
		if removed+added > 0 {
			if _, err := tx.StmtContext(ctx, h.bump).ExecContext(ctx, time.Now().UTC(), id); err != nil {
				return http.StatusInternalServerError, 0
			}
			v++
		}
		if err := tx.Commit(); err != nil {
			return http.StatusInternalServerError, 0
		}
		return http.StatusNoContent, v
	}()
	if status != http.StatusNoContent {
		bareError(w, status)
		return
	}
	w.Header().Set("ETag", `W/"`+strconv.Itoa(version)+`"`)
	w.WriteHeader(http.StatusNoContent)
}
