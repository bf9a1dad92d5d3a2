package scimtest

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// Users, groups and declared resources are listed by different methods with
// different page types, but every listing owes the same things: a page or an
// error, no nil entries, no more than Count, and with a filter exactly the
// resources it selects. The checks here hold those promises once for every
// resource type; the kits pass in the type's method and its page's fields.

// A listing names a store method that lists one resource type, as the
// checks' messages name it.
type listing struct {
	method string // "List"
	page   string // its page's type: "Page"
	field  string // the page's entries: "Users"
}

var (
	userListing           = listing{"List", "Page", "Users"}
	userKeysetListing     = listing{"ListKeyset", "Page", "Users"}
	groupListing          = listing{"ListGroups", "GroupPage", "Groups"}
	resourceListing       = listing{"ListResources", "page", "Resources"}
	resourceKeysetListing = listing{"ListResourcesKeyset", "page", "Resources"}
)

// checkPage stops the check when a call of l (with the arguments args, as
// messages show them) failed or returned a nil page or a nil entry, and
// reports more entries than count (a negative count sets no limit). entries
// reads the page's entries.
func checkPage[P, R any](t tb, l listing, args string, count int, p *P, err error, entries func(*P) []*R) *P {
	t.Helper()
	call := l.method + "(" + args + ")"
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	if p == nil {
		t.Fatalf("%s returned a nil %s and no error", call, l.page)
	}
	es := entries(p)
	if count >= 0 && len(es) > count {
		t.Errorf("%s returned %d %s, more than Count", call, len(es), strings.ToLower(l.field))
	}
	for i, e := range es {
		if e == nil {
			t.Fatalf("%s: %s[%d] is nil", call, l.field, i)
		}
	}
	return p
}

// checkKeys reports a keyset page of n entries whose keys are empty when
// the page is not, or the other way round (scim.PageKeys).
func checkKeys(t tb, l listing, args string, n int, keys scim.PageKeys) {
	t.Helper()
	if (n == 0) != (keys.First == "" && keys.Last == "") {
		t.Errorf("%s(%s): %d %s with Keys.First %q, Keys.Last %q: keys are empty exactly when the page is", l.method, args, n, strings.ToLower(l.field), keys.First, keys.Last)
	}
}

// errNilPage is what a list function of the checks returns for a store's
// nil page with a nil error.
var errNilPage = errors.New("returned a nil page and no error")

// idLister runs one query of a listing and returns the ids of its page and
// its TotalResults, or the store's error (errNilPage for a nil page and no
// error).
type idLister func(q scim.Query) ([]string, int, error)

// listerOf is the idLister of a store method, call, whose page read turns
// into ids and TotalResults.
func listerOf[P any](call func(q scim.Query) (*P, error), read func(*P) ([]string, int)) idLister {
	return func(q scim.Query) ([]string, int, error) {
		p, err := call(q)
		if err != nil {
			return nil, 0, err
		}
		if p == nil {
			return nil, 0, errNilPage
		}
		ids, total := read(p)
		return ids, total, nil
	}
}

// find runs f through list and checks that it selects exactly the
// resources with the ids want, in any order, with a matching TotalResults.
func (l listing) find(t tb, list idLister, f filter.Expr, want []string) {
	t.Helper()
	q := scim.Query{Filter: f, StartIndex: 1, Count: 1000}
	got, total, err := list(q)
	if err != nil {
		t.Errorf("%s(%s): %v", l.method, queryString(q), err)
		return
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("%s(%s) returned the %s %q, want %q", l.method, queryString(q), strings.ToLower(l.field), got, want)
	}
	if total != len(want) {
		t.Errorf("%s(%s): TotalResults = %d, want %d", l.method, queryString(q), total, len(want))
	}
}

// filtered lists the ids f selects through list, for a check that pages
// through them; it returns false, after logging that paging the filter is
// not checked or reporting the store's error, when there are none to page.
func (l listing) filtered(t tb, list idLister, f filter.Expr) ([]string, bool) {
	t.Helper()
	ids, _, err := list(scim.Query{Filter: f, StartIndex: 1, Count: 1000})
	switch {
	case errors.Is(err, scim.ErrUnsupportedFilter):
		t.Logf("the store does not support %s; paging a filtered list is not checked", f)
		return nil, false
	case err != nil:
		t.Errorf("%s(%s): %v", l.method, f, err)
		return nil, false
	}
	return ids, true
}

// checkAll checks a listing of the n resources a check created (created
// holds their ids): each once, none other, the same order when listed
// again. all lists them; checkAll returns their ids in the store's order.
func (l listing) checkAll(t tb, n int, created map[string]bool, all func() []string) []string {
	t.Helper()
	noun := strings.ToLower(l.field)
	full := all()
	if len(full) != n {
		t.Errorf("%s of all %s returned %d, want %d", l.method, noun, len(full), n)
	}
	seen := map[string]bool{}
	for _, id := range full {
		if seen[id] {
			t.Errorf("%s of all %s returned %q twice", l.method, noun, id)
		}
		if !created[id] {
			t.Errorf("%s of all %s returned %q, which was not created", l.method, noun, id)
		}
		seen[id] = true
	}
	if again := all(); !slices.Equal(again, full) {
		t.Errorf("%s of all %s, run twice, differs in order:\n%q\n%q", l.method, noun, full, again)
	}
	return full
}

// checkTenantLists checks the lists of a tenant isolation check: tenant A
// holds only the resource a (inA), a context without a tenant none
// (inNone), tenant B two (inB).
func (l listing) checkTenantLists(t tb, a string, inA, inNone, inB []string) {
	t.Helper()
	if !slices.Equal(inA, []string{a}) {
		t.Errorf("%s in tenant %q returned %q, want only %q", l.method, tenantA, inA, a)
	}
	if len(inNone) != 0 {
		t.Errorf("%s without a tenant returned %q, want none", l.method, inNone)
	}
	if len(inB) != 2 {
		t.Errorf("%s in tenant %q returned %q, want 2 %s", l.method, tenantB, inB, strings.ToLower(l.field))
	}
}

func queryString(q scim.Query) string {
	f := "<nil>"
	if q.Filter != nil {
		f = fmt.Sprintf("%q", q.Filter.String())
	}
	return fmt.Sprintf("filter %s, startIndex %d, count %d", f, q.StartIndex, q.Count)
}
