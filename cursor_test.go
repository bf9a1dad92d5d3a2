package scim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// cursorList is a ListResponse with RFC 9865's members.
type cursorList struct {
	TotalResults   *int              `json:"totalResults"`
	StartIndex     *int              `json:"startIndex"`
	ItemsPerPage   int               `json:"itemsPerPage"`
	NextCursor     string            `json:"nextCursor"`
	PreviousCursor string            `json:"previousCursor"`
	Resources      []json.RawMessage `json:"Resources"`
}

func decodeCursorList(t testing.TB, rec interface{ Result() *http.Response }, body string) cursorList {
	t.Helper()
	var l cursorList
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		t.Fatalf("list: %v: %s", err, body)
	}
	return l
}

func getPage(t testing.TB, h http.Handler, target string) cursorList {
	t.Helper()
	rec := do(t, h, "GET", target, "")
	if rec.Code != 200 {
		t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
	}
	return decodeCursorList(t, rec, rec.Body.String())
}

func resourceIDs(l cursorList) []string {
	var out []string
	for _, r := range l.Resources {
		var x struct{ ID string }
		json.Unmarshal(r, &x)
		out = append(out, x.ID)
	}
	return out
}

// Walking 250 users with count 7 by nextCursor, then back by
// previousCursor, lists each exactly once each way (RFC 9865 §2).
func TestCursorWalk(t *testing.T) {
	h := newMemHandler(t, scim.Config{})
	const n = 250
	for i := range n {
		create(t, h, fmt.Sprintf("walker%03d@example.com", i))
	}
	seen := map[string]int{}
	var pages []cursorList
	l := getPage(t, h, "/Users?cursor&count=7")
	for {
		pages = append(pages, l)
		if l.StartIndex != nil {
			t.Errorf("a cursor page has startIndex %d; RFC 9865 pages have none", *l.StartIndex)
		}
		if l.TotalResults == nil || *l.TotalResults != n {
			t.Errorf("totalResults %v, want %d", l.TotalResults, n)
		}
		if l.ItemsPerPage != len(l.Resources) || len(l.Resources) > 7 {
			t.Errorf("itemsPerPage %d with %d resources", l.ItemsPerPage, len(l.Resources))
		}
		for _, id := range resourceIDs(l) {
			seen[id]++
		}
		if l.NextCursor == "" {
			break
		}
		if strings.Trim(l.NextCursor, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") != "" {
			t.Fatalf("nextCursor %q has characters outside RFC 3986's unreserved set", l.NextCursor)
		}
		l = getPage(t, h, "/Users?count=7&cursor="+l.NextCursor)
	}
	if len(pages) != (n+6)/7 {
		t.Errorf("%d pages, want %d", len(pages), (n+6)/7)
	}
	if pages[0].PreviousCursor != "" {
		t.Errorf("the first page has a previousCursor")
	}
	if len(seen) != n {
		t.Errorf("forward walk saw %d users, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("forward walk saw %s %d times", id, c)
		}
	}
	// Back from the last page.
	back := map[string]int{}
	l = pages[len(pages)-1]
	for i := len(pages) - 1; ; i-- {
		if got, want := resourceIDs(l), resourceIDs(pages[i]); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("page %d walking back is %q, want %q", i, got, want)
		}
		for _, id := range resourceIDs(l) {
			back[id]++
		}
		if l.PreviousCursor == "" {
			if i != 0 {
				t.Errorf("walking back stopped at page %d", i)
			}
			break
		}
		l = getPage(t, h, "/Users?count=7&cursor="+l.PreviousCursor)
	}
	if len(back) != n {
		t.Errorf("backward walk saw %d users, want %d", len(back), n)
	}
	for id, c := range back {
		if c != 1 {
			t.Errorf("backward walk saw %s %d times", id, c)
		}
	}
	// The same walk through .search, with a filter and projection.
	body := func(cursor string) string {
		return search(`"filter":"userName sw \"walker1\"","attributes":["userName"],"count":30,"cursor":` + quote(cursor))
	}
	var got []string
	for c, pages := "", 0; pages < 10; pages++ {
		rec := do(t, h, "POST", "/Users/.search", body(c))
		if rec.Code != 200 {
			t.Fatalf(".search: %d %s", rec.Code, rec.Body)
		}
		l := decodeCursorList(t, rec, rec.Body.String())
		if strings.Contains(rec.Body.String(), `"emails"`) {
			t.Errorf(".search with attributes [userName] returned emails")
		}
		got = append(got, resourceIDs(l)...)
		if c = l.NextCursor; c == "" {
			break
		}
	}
	if len(got) != 100 {
		t.Errorf(".search walk of userName sw walker1 found %d users, want 100", len(got))
	}
}

func TestCursorGroups(t *testing.T) {
	h := newMemHandler(t, scim.Config{})
	for i := range 11 {
		newGroup(t, h, fmt.Sprintf("g%02d", i), "")
	}
	seen := map[string]bool{}
	l := getPage(t, h, "/Groups?cursor=&count=4")
	for pages := 0; ; pages++ {
		for _, id := range resourceIDs(l) {
			if seen[id] {
				t.Errorf("group %s listed twice", id)
			}
			seen[id] = true
		}
		if l.NextCursor == "" || pages > 5 {
			break
		}
		l = getPage(t, h, "/Groups?count=4&cursor="+l.NextCursor)
	}
	if len(seen) != 11 {
		t.Errorf("saw %d groups, want 11", len(seen))
	}
	// A Users cursor does not page Groups.
	u := getPage(t, h, "/Groups?cursor&count=1")
	wantError(t, do(t, h, "GET", "/Users?count=1&cursor="+u.NextCursor, ""), 400, "invalidCursor")
}

// Cursors that were altered, issued for another filter, endpoint, tenant
// or handler key, or that expired, are refused with RFC 9865 §2.1's
// errors; so are counts out of range or changed mid-walk.
func TestCursorErrors(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	key := []byte(strings.Repeat("k", 32))
	store := memstore.New()
	h, err := scim.NewHandler(store, scim.Config{Authenticator: scim.SkipAuthentication, CursorKey: key, CursorTimeout: time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		create(t, h, fmt.Sprintf("e%d@example.com", i))
	}
	f := url.QueryEscape(`userName sw "e"`)
	first := getPage(t, h, "/Users?cursor&count=2&filter="+f)
	c := first.NextCursor
	if c == "" {
		t.Fatal("no nextCursor")
	}
	flip := []byte(c)
	flip[len(flip)/2] ^= 1
	tests := []struct {
		name, target, scimType, detail string
	}{
		{"tampered", "/Users?count=2&filter=" + f + "&cursor=" + string(flip), "invalidCursor", "altered"},
		{"truncated", "/Users?count=2&filter=" + f + "&cursor=" + c[:len(c)-3], "invalidCursor", "altered"},
		{"garbage", "/Users?count=2&filter=" + f + "&cursor=%21%21", "invalidCursor", "altered"},
		{"long", "/Users?count=2&filter=" + f + "&cursor=" + strings.Repeat("A", 600), "invalidCursor", "altered"},
		{"foreign filter", "/Users?count=2&filter=" + url.QueryEscape(`userName sw "e0"`) + "&cursor=" + c, "invalidCursor", "different filter"},
		{"no filter", "/Users?count=2&cursor=" + c, "invalidCursor", "different filter"},
		{"other endpoint", "/Groups?count=2&filter=" + url.QueryEscape(`displayName sw "e"`) + "&cursor=" + c, "invalidCursor", "altered"},
		{"count changed", "/Users?count=3&filter=" + f + "&cursor=" + c, "invalidCount", "count 2"},
		{"count too large", "/Users?cursor&count=101", "invalidCount", "maxPageSize"},
		{"count not a number", "/Users?cursor&count=ten", "invalidCount", `"ten"`},
		{"startIndex and cursor", "/Users?cursor&startIndex=2", "invalidValue", "startIndex and cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := wantError(t, do(t, h, "GET", tt.target, ""), 400, tt.scimType)
			if !strings.Contains(e.Detail, tt.detail) {
				t.Errorf("detail %q does not mention %q", e.Detail, tt.detail)
			}
		})
	}
	// Omitting count on a later page keeps the cursor's.
	if l := getPage(t, h, "/Users?filter="+f+"&cursor="+c); len(l.Resources) != 2 {
		t.Errorf("a continuation without count returned %d users, want the cursor's 2", len(l.Resources))
	}
	// A negative count is 0: totalResults only, no cursors.
	if l := getPage(t, h, "/Users?cursor&count=-3"); len(l.Resources) != 0 || l.NextCursor != "" || *l.TotalResults != 5 {
		t.Errorf("count=-3: %d resources, nextCursor %q, totalResults %d", len(l.Resources), l.NextCursor, *l.TotalResults)
	}
	// Another tenant cannot use the cursor.
	other := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(scim.WithTenant(r.Context(), "other-tenant")))
	})
	wantError(t, do(t, other, "GET", "/Users?count=2&filter="+f+"&cursor="+c, ""), 400, "invalidCursor")
	// A replica with the same key continues the walk; one with another
	// key refuses it.
	replica, _ := scim.NewHandler(store, scim.Config{Authenticator: scim.SkipAuthentication, CursorKey: key, Now: func() time.Time { return now }})
	if l := getPage(t, replica, "/Users?count=2&filter="+f+"&cursor="+c); len(l.Resources) != 2 {
		t.Errorf("a replica sharing CursorKey returned %d users", len(l.Resources))
	}
	stranger, _ := scim.NewHandler(store, scim.Config{Authenticator: scim.SkipAuthentication})
	wantError(t, do(t, stranger, "GET", "/Users?count=2&filter="+f+"&cursor="+c, ""), 400, "invalidCursor")
	// After CursorTimeout the cursor has expired.
	now = now.Add(61 * time.Second)
	e := wantError(t, do(t, h, "GET", "/Users?count=2&filter="+f+"&cursor="+c, ""), 400, "expiredCursor")
	if !strings.Contains(e.Detail, "60 seconds") {
		t.Errorf("expiredCursor detail %q does not say the timeout", e.Detail)
	}
	// A store without keyset listing refuses cursors and says so.
	hf, _ := newHandler(t, scim.Config{})
	wantError(t, do(t, hf, "GET", "/Users?cursor", ""), 400, "invalidCursor")
	// Bad keys are a configuration error.
	if _, err := scim.NewHandler(store, scim.Config{Authenticator: scim.SkipAuthentication, CursorKey: []byte("short")}); err == nil {
		t.Error("NewHandler accepted a 5-byte CursorKey")
	}
	if _, err := scim.NewHandler(store, scim.Config{Authenticator: scim.SkipAuthentication, CursorTimeout: -time.Second}); err == nil {
		t.Error("NewHandler accepted a negative CursorTimeout")
	}
}

// /ServiceProviderConfig advertises cursors where the store pages by
// keyset, with index paging as the default (RFC 9865 §4).
func TestPaginationDiscovery(t *testing.T) {
	type spc struct {
		Pagination map[string]any `json:"pagination"`
	}
	read := func(h http.Handler) map[string]any {
		rec := do(t, h, "GET", "/ServiceProviderConfig", "")
		var s spc
		if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		return s.Pagination
	}
	p := read(newMemHandler(t, scim.Config{MaxResults: 50, CursorTimeout: 10 * time.Minute}))
	want := map[string]any{"cursor": true, "index": true, "defaultPaginationMethod": "index", "defaultPageSize": 50.0, "maxPageSize": 50.0, "cursorTimeout": 600.0}
	if fmt.Sprint(p) != fmt.Sprint(want) {
		t.Errorf("memstore pagination %v, want %v", p, want)
	}
	hf, _ := newHandler(t, scim.Config{})
	if p := read(hf); p["cursor"] != false || p["index"] != true || p["cursorTimeout"] != nil {
		t.Errorf("pagination without keyset listing: %v", p)
	}
}
