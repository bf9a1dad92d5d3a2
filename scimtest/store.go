package scimtest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// TestStore checks that a scim.Store keeps every promise of the Store
// contract: the round trips of create, get, replace and delete, ids and
// versions, case-insensitive userName uniqueness, optimistic concurrency,
// copies in and out, stable paging, the filters Okta and Entra ID send,
// tenant isolation and safety under concurrent writes.
//
// Each check runs as a subtest of t named after the rule it enforces, with
// a fresh store from newStore, and reports every violation it finds, not
// only the first. A failing subtest ends with the rule and where it comes
// from (an RFC section or an identity provider's behaviour). Checks of
// optional capabilities (scim.Patcher, scim.GroupStore) are skipped for a
// store that does not implement them.
//
// newStore must return a store that holds no users and no groups in the
// tenants the checks use ("scimtest-a", "scimtest-b" and the context
// without a tenant): a check refuses, before it writes anything, a store
// that does, since it creates, counts and deletes users and groups. A
// check that passes deletes what it created (users, groups and so their
// memberships). newStore may return the same throwaway store each time;
// it may use its t for cleanup (t.Cleanup) and to skip (t.Skip). For
// sqlstore, sqlstore.Throwaway makes such a store with the shape of the
// host's own tables.
//
// Typical usage:
//
//	func TestMyStore(t *testing.T) {
//		scimtest.TestStore(t, func(t *testing.T) scim.Store {
//			return mystore.Open(t.TempDir())
//		})
//	}
func TestStore(t *testing.T, newStore func(t *testing.T) scim.Store) {
	t.Helper()
	testStore(testingT{t}, func(t tb) scim.Store { return newStore(t.(testingT).T) })
}

// tb is the part of *testing.T the checks use. It is an interface so that
// the kit's own tests can run the checks against a recorder and see them
// fail on broken stores, as testing/fstest tests TestFS.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Skipf(format string, args ...any)
	Failed() bool
	Run(name string, f func(t tb)) bool
}

// testingT adapts *testing.T to tb.
type testingT struct{ *testing.T }

func (t testingT) Run(name string, f func(t tb)) bool {
	return t.T.Run(name, func(t *testing.T) { f(testingT{t}) })
}

// storeCase is one check of the Store contract.
type storeCase struct {
	name string
	// rule is the promise checked and where it comes from; it is logged
	// when the check fails.
	rule string
	// needs, when not nil, reports whether the store has the optional
	// capability the case checks, by a type assertion; the case is skipped
	// when it does not (see capabilityCases in store_patch.go).
	needs func(scim.Store) bool
	// capability names what needs looks for, e.g. "scim.Patcher".
	capability string
	run        func(t tb, k *storeKit)
}

func testStore(t tb, newStore func(t tb) scim.Store) {
	t.Helper()
	for _, c := range storeCasesAll() {
		t.Run(c.name, func(t tb) {
			s := newStore(t)
			if s == nil {
				t.Fatalf("newStore returned nil")
			}
			if c.needs != nil && !c.needs(s) {
				t.Skipf("the store does not implement %s", c.capability)
			}
			k := newStoreKit(s)
			if why := needsForKept(c.name, k.kept); why != "" {
				t.Skipf("%s", why)
			}
			if c.needs != nil && k.sending {
				t.Skipf("scimtest does not yet check %s on a store that refuses some values (scim.Kept: EmailIsUserName, active missing)", c.capability)
			}
			k.refuseNonEmpty(t)
			defer func() {
				if t.Failed() {
					t.Logf("rule: %s", c.rule)
				}
			}()
			c.run(t, k)
			if !t.Failed() {
				sweep(t, k.tenants(), k.kinds()...)
			}
		})
	}
}

// tenants are the contexts the checks write in: the context without a
// tenant alone for a store that keeps no tenants.
func (k *storeKit) tenants() []tenant {
	if k.kept != nil && k.kept.SingleTenant {
		return []tenant{{"no tenant", k.ctx0}}
	}
	return tenantsOf(k.ctx, k.ctxB, k.ctx0)
}

// kinds are what the store holds, groups before the users they name.
func (k *storeKit) kinds() []kind {
	if isGroupStore(k.raw) {
		return []kind{groupsOf(k.raw.(scim.GroupStore)), usersOf(k.raw)}
	}
	return []kind{usersOf(k.raw)}
}

// refuseNonEmpty stops the check, before it writes anything, when the
// store already holds users or groups in a tenant the checks use: they
// count what they create, and delete it.
func (k *storeKit) refuseNonEmpty(t tb) {
	t.Helper()
	refuseNonEmpty(t, "TestStore", k.tenants(), k.kinds()...)
}

// storeCasesAll are TestStore's checks, in the order they run.
func storeCasesAll() []storeCase {
	return slices.Concat(coreCases, keptCases, capabilityCases, groupCases, idCases, cursorCases)
}

// The tenants the checks use.
const (
	tenantA = "scimtest-a"
	tenantB = "scimtest-b"
)

// storeKit holds the store under test and helpers that report through t.
type storeKit struct {
	s    scim.Store
	raw  scim.Store      // s as newStore returned it, with its optional capabilities
	ctx  context.Context // tenant A
	ctxB context.Context // tenant B
	ctx0 context.Context // no tenant
	// kept is what the store says it keeps, nil when it does not say
	// (see store_kept.go); sending says s is wrapped in a keptStore,
	// which hides the store's optional capabilities.
	kept    *scim.Kept
	sending bool
}

func newStoreKit(s scim.Store) *storeKit {
	bg := context.Background()
	k := &storeKit{
		s:    s,
		raw:  s,
		ctx:  scim.WithTenant(bg, tenantA),
		ctxB: scim.WithTenant(bg, tenantB),
		ctx0: bg,
	}
	if keeper, ok := s.(scim.Keeper); ok {
		kept := keeper.Keeps()
		k.kept = &kept
		if kept.EmailIsUserName || slices.Contains(kept.Missing, "active") {
			k.s, k.sending = keptStore{s, k.kept}, true
		}
		if kept.SingleTenant {
			k.ctx = bg
		}
	}
	return k
}

// create stores u in tenant A; a failure stops the check, which needs the
// user to go on.
func (k *storeKit) create(t tb, u *scim.User) *scim.User {
	t.Helper()
	return k.createIn(t, k.ctx, u)
}

func (k *storeKit) createIn(t tb, ctx context.Context, u *scim.User) *scim.User {
	t.Helper()
	got, err := k.s.Create(ctx, u.Clone())
	return created(t, fmt.Sprintf("Create(userName %q)", u.UserName), "user", got, err)
}

// get returns the user with the given id in tenant A, or nil after
// reporting an error.
func (k *storeKit) get(t tb, id string) *scim.User {
	t.Helper()
	u, err := k.s.User(k.ctx, id)
	return read(t, fmt.Sprintf("User(%q)", id), "user", u, err)
}

// list runs q in ctx; an error stops the check.
func (k *storeKit) list(t tb, ctx context.Context, q scim.Query) *scim.Page {
	t.Helper()
	p, err := k.s.List(ctx, q)
	return checkPage(t, userListing, queryString(q), q.Count, p, err, pageUsers)
}

func pageUsers(p *scim.Page) []*scim.User { return p.Users }

// all lists every user of ctx's tenant in the store's order.
func (k *storeKit) all(t tb, ctx context.Context) []*scim.User {
	t.Helper()
	return k.list(t, ctx, scim.Query{StartIndex: 1, Count: 1 << 20}).Users
}

// find runs a filter in ctx and checks that it matches exactly the users
// with the given ids (in any order), with a matching TotalResults.
func (k *storeKit) find(t tb, ctx context.Context, f filter.Expr, want ...string) {
	t.Helper()
	userListing.find(t, k.usersIn(ctx), f, want)
}

// usersIn lists the users of ctx's tenant for the checks shared by every
// resource type.
func (k *storeKit) usersIn(ctx context.Context) idLister {
	return listerOf(func(q scim.Query) (*scim.Page, error) { return k.s.List(ctx, q) },
		func(p *scim.Page) ([]string, int) { return userIDs(p.Users), p.TotalResults })
}

func userIDs(us []*scim.User) []string {
	s := make([]string, len(us))
	for i, u := range us {
		s[i] = u.ID
	}
	return s
}

// wantErrIs reports whether err wraps target, reporting an error naming op
// when it does not.
func wantErrIs(t tb, op string, err, target error) bool {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want one wrapping %q", op, err, target)
		return false
	}
	return true
}

// sampleUser returns a distinct user with every field set, custom attributes
// of every kind included. Times are whole seconds in UTC, which any
// database keeps.
func sampleUser(n int) *scim.User {
	t0 := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
	return &scim.User{
		ExternalID:  fmt.Sprintf("00uJl29u%04dT6Aj", n),
		UserName:    fmt.Sprintf("user%04d@example.com", n),
		GivenName:   "Given",
		FamilyName:  fmt.Sprintf("Family%04d", n),
		DisplayName: fmt.Sprintf("Given Family%04d", n),
		Email:       fmt.Sprintf("user%04d.work@example.org", n),
		Active:      true,
		Custom: map[string]any{
			"costCenter": fmt.Sprintf("cc-%d", n),
			"level":      int64(n),
			"contractor": n%2 == 1,
			"hired":      t0.Add(-24 * time.Hour),
			"regions":    []string{"us1", "emea2"},
			"badges":     []int64{int64(n), 42},
			"flags":      []bool{true, false},
			"reviews":    []time.Time{t0, t0.Add(time.Hour)},
		},
		Meta: scim.Meta{Created: t0, LastModified: t0},
	}
}

// diffUser reports the differences between want, as the store keeps it
// (see shape), and got, one line per field, ignoring ID and Meta.Version
// (checked on their own).
func (k *storeKit) diffUser(want, got *scim.User) []string {
	want = shape(k.kept, want)
	var d []string
	str := func(name, w, g string) {
		if w != g {
			d = append(d, fmt.Sprintf("%s = %q, want %q", name, g, w))
		}
	}
	str("ExternalID", want.ExternalID, got.ExternalID)
	str("UserName", want.UserName, got.UserName)
	str("GivenName", want.GivenName, got.GivenName)
	str("FamilyName", want.FamilyName, got.FamilyName)
	str("DisplayName", want.DisplayName, got.DisplayName)
	str("Email", want.Email, got.Email)
	if want.Active != got.Active {
		d = append(d, fmt.Sprintf("Active = %t, want %t", got.Active, want.Active))
	}
	d = append(d, diffTimes(want.Meta, got.Meta)...)
	return append(d, diffAttributes("Custom", want.Custom, got.Custom, customEqual)...)
}

// diffTimes reports the differences between the times of two Metas, by
// instant.
func diffTimes(want, got scim.Meta) []string {
	var d []string
	if !want.Created.Equal(got.Created) {
		d = append(d, fmt.Sprintf("Meta.Created = %v, want %v", got.Created, want.Created))
	}
	if !want.LastModified.Equal(got.LastModified) {
		d = append(d, fmt.Sprintf("Meta.LastModified = %v, want %v", got.LastModified, want.LastModified))
	}
	return d
}

// diffAttributes reports the differences between two maps of attribute
// values, the field named field, one line per name, in name order; equal
// compares two values.
func diffAttributes(field string, want, got map[string]any, equal func(a, b any) bool) []string {
	var d []string
	for _, name := range slices.Sorted(customKeys(want, got)) {
		w, wok := want[name]
		g, gok := got[name]
		switch {
		case !gok:
			d = append(d, fmt.Sprintf("%s[%q] is missing, want %#v (%T)", field, name, w, w))
		case !wok:
			d = append(d, fmt.Sprintf("%s[%q] = %#v, want no such attribute", field, name, g))
		case !equal(w, g):
			d = append(d, fmt.Sprintf("%s[%q] = %#v (%T), want %#v (%T)", field, name, g, g, w, w))
		}
	}
	return d
}

func customKeys(a, b map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range a {
			if !yield(k) {
				return
			}
		}
		for k := range b {
			if _, dup := a[k]; !dup && !yield(k) {
				return
			}
		}
	}
}

// customEqual compares custom values, times by instant (a store may hand
// them back in another location).
func customEqual(a, b any) bool {
	switch a := a.(type) {
	case time.Time:
		b, ok := b.(time.Time)
		return ok && a.Equal(b)
	case []time.Time:
		b, ok := b.([]time.Time)
		return ok && slices.EqualFunc(a, b, time.Time.Equal)
	}
	return reflect.DeepEqual(a, b)
}

// checkUser reports the differences between want and got, prefixed by
// what got is.
func (k *storeKit) checkUser(t tb, what string, want, got *scim.User) {
	t.Helper()
	if got == nil {
		return
	}
	for _, d := range k.diffUser(want, got) {
		t.Errorf("%s: %s", what, d)
	}
}

// cmpEq is the resolved comparison name eq value, case-exact for id and
// externalId as the handler's schema resolution sets it.
func cmpEq(name, value string) *filter.Compare {
	return &filter.Compare{
		Path:      filter.AttrPath{Name: name},
		Op:        filter.Eq,
		Value:     filter.Value{Kind: filter.String, Str: value},
		CaseExact: name == "id" || name == "externalId",
	}
}

func andOf(a, b filter.Expr) filter.Expr {
	return &filter.Logical{Op: filter.And, Left: a, Right: b}
}

// workEmailFilter is Entra ID's lookup emails[type eq "work"].value eq "v", as
// filter.Parse reads it: emails[type eq "work" and value eq "v"].
func workEmailFilter(v string) filter.Expr {
	return &filter.ValuePath{
		Path:   filter.AttrPath{Name: "emails"},
		Filter: andOf(cmpEq("type", "work"), cmpEq("value", v)),
	}
}

// filter parses a filter written by the kit and resolves it as the handler
// does (scim.Handler.ParseFilter), so that stores are checked against the
// queries the handler really sends.
func (k *storeKit) filter(t tb, s string) filter.Expr {
	t.Helper()
	return k.parseFilter(t, "filter", (*scim.Handler).ParseFilter, s)
}

// parseFilter parses s with parse, a scim.Handler's filter parser for one
// resource type, on a handler serving k's store; what names the filter in
// the message when the kit wrote a bad one.
func (k *storeKit) parseFilter(t tb, what string, parse func(*scim.Handler, string) (filter.Expr, error), s string) filter.Expr {
	t.Helper()
	h, err := scim.NewHandler(k.s, scim.Config{Authenticator: scim.SkipAuthentication})
	if err == nil {
		var e filter.Expr
		if e, err = parse(h, s); err == nil {
			return e
		}
	}
	t.Fatalf("scimtest: bad %s %q: %v", what, s, err)
	return nil
}

// swapCase returns s with the case of every letter swapped.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) {
			return unicode.ToLower(r)
		}
		return unicode.ToUpper(r)
	}, s)
}
