package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// sqlCols are the columns sqlstore reads, in its order.
const sqlCols = "id, external_id, user_name, given_name, family_name, display_name, email, active, created, last_modified, version"

// newSQLPeer builds a user fixture (newSQLFixture) of n users and serves
// it with scimkit over sqlstore (sqlstore) or with a bare handler running
// sqlstore's queries directly (sqldirect). Close drops the table.
func newSQLPeer(ctx context.Context, name string, n int) (*Peer, error) {
	f, err := newSQLFixture(ctx, n, false)
	if err != nil {
		return nil, err
	}
	if err := f.analyze(ctx); err != nil {
		return nil, f.fail(err)
	}
	p := &Peer{ids: f.ids}
	if name == PeerSQLDirect {
		h, err := newSQLDirect(ctx, f.db, f.cfg.Table)
		if err != nil {
			return nil, f.fail(err)
		}
		p.Handler = h
		p.close = func() error { h.close(); return f.close() }
		return p, nil
	}
	if p.Handler, p.close, err = f.scimkit(); err != nil {
		return nil, f.fail(err)
	}
	return p, nil
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// sqlDirect is the baseline for sqlstore: a bare handler that runs the
// statements sqlstore runs for a read (the same SQL, prepared once; pages
// in creation order, as sqlstore's UUID tables are, with COUNT(*) only
// when the page cannot tell the total),
// scans the rows into the bare handler's User and calls json.Marshal.
type sqlDirect struct {
	byID, countName, pageName, countAll, pageAll, insert *sql.Stmt
}

func newSQLDirect(ctx context.Context, db *sql.DB, table string) (*sqlDirect, error) {
	h := &sqlDirect{}
	err := prepare(ctx, db, map[**sql.Stmt]string{
		&h.byID:      "SELECT " + sqlCols + " FROM " + table + " WHERE id = $1",
		&h.countName: "SELECT COUNT(*) FROM " + table + " WHERE lower(user_name) = lower($1)",
		&h.pageName:  "SELECT " + sqlCols + " FROM " + table + " WHERE lower(user_name) = lower($1) ORDER BY created, id LIMIT $2 OFFSET $3",
		&h.countAll:  "SELECT COUNT(*) FROM " + table,
		&h.pageAll:   "SELECT " + sqlCols + " FROM " + table + " ORDER BY created, id LIMIT $1 OFFSET $2",
		&h.insert:    "INSERT INTO " + table + " (" + sqlCols + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

func (h *sqlDirect) close() {
	closeStmts(h.byID, h.countName, h.pageName, h.countAll, h.pageAll, h.insert)
}

func (h *sqlDirect) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/scim+json")
	rest, ok := strings.CutPrefix(r.URL.Path, "/Users")
	switch {
	case ok && rest == "" && r.Method == http.MethodPost:
		h.create(w, r)
	case !ok || r.Method != http.MethodGet:
		bareError(w, http.StatusMethodNotAllowed)
	case rest == "":
		h.list(w, r)
	case len(rest) > 1 && rest[0] == '/':
		h.get(w, r, rest[1:])
	default:
		bareError(w, http.StatusNotFound)
	}
}

// create decodes the body with json.Unmarshal as the bare handler does,
// runs sqlstore's INSERT (a UUID id, version 1; the unique index on
// lower(user_name) refuses a duplicate) and answers with json.Marshal.
func (h *sqlDirect) create(w http.ResponseWriter, r *http.Request) {
	var in bareCreate
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.UserName == "" {
		bareError(w, http.StatusBadRequest)
		return
	}
	u := &bareUser{Schemas: userSchemas, ID: newUUID(), ExternalID: in.ExternalID, UserName: in.UserName,
		Name: in.Name, DisplayName: in.DisplayName, Active: in.Active == nil || *in.Active}
	var given, family, email sql.NullString
	if in.Name != nil {
		given = sql.NullString{String: in.Name.GivenName, Valid: true}
		family = sql.NullString{String: in.Name.FamilyName, Valid: true}
	}
	for _, e := range in.Emails {
		if e.Type == "work" {
			u.Emails = []bareEmail{{Value: e.Value, Type: "work", Primary: true}}
			email = sql.NullString{String: e.Value, Valid: true}
		}
	}
	now := time.Now().UTC()
	_, err := h.insert.ExecContext(r.Context(), u.ID, u.ExternalID, u.UserName, given, family, u.DisplayName, email, u.Active, now, now)
	switch {
	case err != nil && strings.Contains(err.Error(), "23505"):
		bareError(w, http.StatusConflict)
		return
	case err != nil:
		bareError(w, http.StatusInternalServerError)
		return
	}
	u.Meta = bareMeta{ResourceType: "User", Created: now, LastModified: now, Version: `W/"1"`, Location: "http://" + r.Host + "/Users/" + u.ID}
	b, _ := json.Marshal(u)
	w.Header().Set("Location", u.Meta.Location)
	w.WriteHeader(http.StatusCreated)
	w.Write(b)
}

func (h *sqlDirect) get(w http.ResponseWriter, r *http.Request, id string) {
	rows, err := h.byID.QueryContext(r.Context(), id)
	if err != nil {
		bareError(w, http.StatusInternalServerError)
		return
	}
	users, err := scanBare(rows, "http://"+r.Host+"/Users/")
	switch {
	case err != nil:
		bareError(w, http.StatusInternalServerError)
	case len(users) == 0:
		bareError(w, http.StatusNotFound)
	default:
		b, _ := json.Marshal(users[0])
		w.Header().Set("ETag", users[0].Meta.Version)
		w.Write(b)
	}
}

func (h *sqlDirect) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, count := pageParams(q)
	ctx := r.Context()
	l := bareList{Schemas: listSchemas, StartIndex: start, Resources: []*bareUser{}}
	countQ, pageQ, args := h.countAll, h.pageAll, []any{}
	if f := q.Get("filter"); f != "" {
		v, ok := strings.CutPrefix(f, `userName eq "`)
		if !ok || !strings.HasSuffix(v, `"`) {
			bareError(w, http.StatusBadRequest)
			return
		}
		countQ, pageQ, args = h.countName, h.pageName, []any{v[:len(v)-1]}
	}
	var err error
	l.TotalResults, err = sqlPage(start, count,
		func() (int, error) {
			rows, err := pageQ.QueryContext(ctx, append(args, count, start-1)...)
			if err != nil {
				return 0, err
			}
			l.Resources, err = scanBare(rows, "http://"+r.Host+"/Users/")
			return len(l.Resources), err
		},
		func() (n int, err error) { return n, countQ.QueryRowContext(ctx, args...).Scan(&n) })
	if err != nil {
		bareError(w, http.StatusInternalServerError)
		return
	}
	l.ItemsPerPage = len(l.Resources)
	b, _ := json.Marshal(&l)
	w.Write(b)
}

// sqlPage runs a list's page (page returns how many rows it read) and,
// only when the page cannot tell, its count, as sqlstore does: a first
// page that is not full gives totalResults itself.
func sqlPage(start, count int, page, total func() (int, error)) (int, error) {
	if count > 0 {
		n, err := page()
		if err != nil || start == 1 && n < count {
			return n, err
		}
	}
	return total()
}

// scanBare reads rows of sqlCols into the bare handler's User and closes
// rows.
func scanBare(rows *sql.Rows, base string) ([]*bareUser, error) {
	defer rows.Close()
	users := []*bareUser{}
	for rows.Next() {
		var (
			ext, given, family, display, email sql.NullString
			created, modified                  time.Time
			version                            int64
			u                                  = &bareUser{Schemas: userSchemas}
		)
		if err := rows.Scan(&u.ID, &ext, &u.UserName, &given, &family, &display, &email, &u.Active, &created, &modified, &version); err != nil {
			return nil, err
		}
		u.ExternalID, u.DisplayName = ext.String, display.String
		if given.Valid || family.Valid {
			u.Name = &bareName{GivenName: given.String, FamilyName: family.String}
		}
		if email.Valid {
			u.Emails = []bareEmail{{Value: email.String, Type: "work", Primary: true}}
		}
		u.Meta = bareMeta{ResourceType: "User", Created: created.UTC(), LastModified: modified.UTC(),
			Version: `W/"` + strconv.FormatInt(version, 10) + `"`, Location: base + u.ID}
		users = append(users, u)
	}
	return users, rows.Err()
}
