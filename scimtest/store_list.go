package scimtest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

func checkStablePaging(t tb, k *storeKit) {
	const n = 23
	created := map[string]bool{}
	for i := range n {
		u := sampleUser(i)
		u.Active = i%3 != 0
		created[k.create(t, u).ID] = true
	}
	full := userListing.checkAll(t, n, created, func() []string { return userIDs(k.all(t, k.ctx)) })
	checkPages(t, k, nil, full)

	// A filter that selects some users pages the same way.
	active := &filter.Compare{Path: filter.AttrPath{Name: "active"}, Op: filter.Eq, Value: filter.Value{Kind: filter.Bool, Bool: true}}
	if ids, ok := userListing.filtered(t, k.usersIn(k.ctx), active); ok {
		checkPages(t, k, active, ids)
	}
}

// checkPages checks that every way of paging through the users f selects gives
// the list full.
func checkPages(t tb, k *storeKit, f filter.Expr, full []string) {
	t.Helper()
	checkPagesOf(t, "users", func(q scim.Query) ([]string, int) {
		p := k.list(t, k.ctx, q)
		return userIDs(p.Users), p.TotalResults
	}, f, full)
}

// checkPagesOf checks that every way of paging by StartIndex and Count
// through the resources f selects gives the list full (RFC 7644
// §3.4.2.4), whatever the resource type: list runs one query and returns
// the ids of its page and its TotalResults; noun names the resources in
// messages.
func checkPagesOf(t tb, noun string, list func(q scim.Query) ([]string, int), f filter.Expr, full []string) {
	t.Helper()
	total := len(full)
	for _, count := range []int{1, 2, 5, 10, total, 100} {
		var got []string
		for start := 1; start <= total; start += count {
			q := scim.Query{Filter: f, StartIndex: start, Count: count}
			ids, n := list(q)
			if n != total {
				t.Errorf("List(%s): TotalResults = %d, want %d", queryString(q), n, total)
			}
			if want := min(count, total-start+1); len(ids) != want {
				t.Errorf("List(%s) returned %d %s, want %d", queryString(q), len(ids), noun, want)
			}
			got = append(got, ids...)
		}
		if !slices.Equal(got, full) {
			t.Errorf("pages of %d (filter %v) concatenate to\n%q\nwant the full list\n%q", count, f, got, full)
		}
	}
	for _, start := range []int{1, 2, 7, total, total + 1, total + 100} {
		q := scim.Query{Filter: f, StartIndex: start, Count: 5}
		ids, n := list(q)
		want := full[min(start-1, total):min(start-1+5, total)]
		if !slices.Equal(ids, want) {
			t.Errorf("List(%s) returned %q, want %q", queryString(q), ids, want)
		}
		if n != total {
			t.Errorf("List(%s): TotalResults = %d, want %d", queryString(q), n, total)
		}
	}
}

func checkCountZero(t tb, k *storeKit) {
	for i := range 3 {
		k.create(t, sampleUser(i))
	}
	for _, f := range []filter.Expr{nil, cmpEq("userName", sampleUser(1).UserName)} {
		q := scim.Query{Filter: f, StartIndex: 1, Count: 0}
		p := k.list(t, k.ctx, q)
		want := 3
		if f != nil {
			want = 1
		}
		if p.TotalResults != want {
			t.Errorf("List(%s): TotalResults = %d, want %d", queryString(q), p.TotalResults, want)
		}
		if len(p.Users) != 0 {
			t.Errorf("List(%s) returned %d users, want none", queryString(q), len(p.Users))
		}
	}
}

func checkFilterUserName(t tb, k *storeKit) {
	var all []*scim.User
	for i := range 3 {
		all = append(all, k.create(t, sampleUser(i)))
	}
	uni := k.create(t, &scim.User{UserName: "Zoë.Ärger@example.com", Active: true})
	b := all[1]
	for _, v := range []string{b.UserName, strings.ToUpper(b.UserName), swapCase(b.UserName)} {
		k.find(t, k.ctx, cmpEq("userName", v), b.ID)
	}
	for _, v := range []string{uni.UserName, strings.ToLower(uni.UserName), strings.ToUpper(uni.UserName)} {
		k.find(t, k.ctx, cmpEq("userName", v), uni.ID)
	}
}

func checkFilterExternalID(t tb, k *storeKit) {
	a := sampleUser(1)
	a.ExternalID = "00uAbCdEf1"
	b := sampleUser(2)
	b.ExternalID = "00uabcdef1" // a's externalId in lower case
	ua, ub := k.create(t, a), k.create(t, b)
	k.create(t, sampleUser(3))
	k.find(t, k.ctx, cmpEq("externalId", a.ExternalID), ua.ID)
	k.find(t, k.ctx, cmpEq("externalId", b.ExternalID), ub.ID)
	k.find(t, k.ctx, cmpEq("externalId", strings.ToUpper(a.ExternalID)))
}

func checkFilterWorkEmail(t tb, k *storeKit) {
	u := k.create(t, sampleUser(1))
	k.create(t, sampleUser(2))
	k.create(t, &scim.User{UserName: "no-email@example.com"})
	k.find(t, k.ctx, workEmailFilter(u.Email), u.ID)
	k.find(t, k.ctx, workEmailFilter(strings.ToUpper(u.Email)), u.ID)
	k.find(t, k.ctx, k.filter(t, fmt.Sprintf(`emails[type eq "work"].value eq %q`, u.Email)), u.ID)
	k.find(t, k.ctx, k.filter(t, fmt.Sprintf(`emails.value eq %q`, u.Email)), u.ID)
	k.find(t, k.ctx, k.filter(t, fmt.Sprintf(`emails[value eq %q]`, u.Email)), u.ID)
	k.find(t, k.ctx, k.filter(t, fmt.Sprintf(`emails[type eq "home" and value eq %q]`, u.Email)))
	k.find(t, k.ctx, workEmailFilter("nobody@example.org"))
}

func checkFilterAnd(t tb, k *storeKit) {
	a := k.create(t, sampleUser(1))
	b := k.create(t, sampleUser(2))
	k.find(t, k.ctx, andOf(cmpEq("userName", a.UserName), cmpEq("externalId", a.ExternalID)), a.ID)
	k.find(t, k.ctx, andOf(cmpEq("externalId", b.ExternalID), cmpEq("userName", strings.ToUpper(b.UserName))), b.ID)
	k.find(t, k.ctx, andOf(cmpEq("userName", a.UserName), cmpEq("externalId", b.ExternalID)))
	k.find(t, k.ctx, andOf(cmpEq("externalId", a.ExternalID), workEmailFilter(b.Email)))
	k.find(t, k.ctx, andOf(workEmailFilter(a.Email), cmpEq("userName", a.UserName)), a.ID)
}

func checkFilterNoMatch(t tb, k *storeKit) {
	k.create(t, sampleUser(1))
	for _, f := range []filter.Expr{
		cmpEq("userName", "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"),
		cmpEq("externalId", "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"),
		workEmailFilter("Test_User_fd0ea19b@testuser.com"),
	} {
		q := scim.Query{Filter: f, StartIndex: 1, Count: 100}
		p := k.list(t, k.ctx, q)
		if p.TotalResults != 0 || len(p.Users) != 0 {
			t.Errorf("List(%s): TotalResults %d and %d users, want 0 and none", queryString(q), p.TotalResults, len(p.Users))
		}
	}
}

func checkFilterNeverIgnored(t tb, k *storeKit) {
	for i := range 6 {
		u := sampleUser(i)
		u.Active = i%2 == 0
		if i == 4 {
			u.ExternalID, u.Email = "", ""
		}
		k.create(t, u)
	}
	all := k.all(t, k.ctx)
	for _, s := range []string{
		`userName sw "user0001"`,
		`userName ew "3@EXAMPLE.COM"`,
		`active eq false`,
		`displayName co "family0002"`,
		`name.familyName eq "Family0005"`,
		`not (userName eq "user0001@example.com")`,
		`userName eq "user0001@example.com" or userName eq "user0002@example.com"`,
		`externalId pr`,
		`emails[value co "0003"]`,
		`meta.created gt "2024-03-01T11:00:00Z"`,
		`userName eq "user0001@example.com" and active eq true`,
	} {
		f := k.filter(t, s)
		views := make([]filter.Resource, len(all))
		ids := make([]string, len(all))
		for i, u := range all {
			views[i], ids[i] = u, u.ID
		}
		checkFilterSelects(t, f, views, ids, k.usersIn(k.ctx))
	}
}

// checkFilterSelects lists the resources f selects and checks that they are
// exactly those of all that filter.Match selects (ids[i] is all[i]'s id),
// with a matching TotalResults, or that the store refuses f with an error
// wrapping scim.ErrUnsupportedFilter (or a *filter.MatchError): a store
// never ignores or approximates a filter (scim.Store List). list runs one
// query.
func checkFilterSelects(t tb, f filter.Expr, all []filter.Resource, ids []string, list idLister) {
	t.Helper()
	var want []string
	for i, r := range all {
		if ok, err := filter.Match(f, r); err != nil {
			t.Fatalf("scimtest: filter.Match(%s): %v", f, err)
		} else if ok {
			want = append(want, ids[i])
		}
	}
	q := scim.Query{Filter: f, StartIndex: 1, Count: 1000}
	got, total, err := list(q)
	var me *filter.MatchError
	switch {
	case errors.Is(err, scim.ErrUnsupportedFilter) || errors.As(err, &me):
		t.Logf("the store does not support the filter %q: not checked", f)
		return
	case err != nil:
		t.Errorf("List(filter %q): %v, want results or an error wrapping %q", f, err, scim.ErrUnsupportedFilter)
		return
	}
	got = slices.Sorted(slices.Values(got))
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("List(filter %q) returned %q, want %q as filter.Match selects them", f, got, want)
	}
	if total != len(want) {
		t.Errorf("List(filter %q): TotalResults = %d, want %d", f, total, len(want))
	}
}

func checkDeactivatedVisible(t tb, k *storeKit) {
	in := sampleUser(1)
	in.Active = false
	created := k.create(t, in)
	other := k.create(t, sampleUser(2))
	r := other.Clone()
	r.Active = false
	if _, err := k.s.Replace(k.ctx, r, ""); err != nil {
		t.Fatalf("Replace deactivating a user: %v", err)
	}
	for _, u := range []*scim.User{created, other} {
		got := k.get(t, u.ID)
		if got != nil && got.Active {
			t.Errorf("User(%q).Active = true, want false", u.ID)
		}
		k.find(t, k.ctx, cmpEq("userName", u.UserName), u.ID)
		k.find(t, k.ctx, cmpEq("externalId", u.ExternalID), u.ID)
		k.find(t, k.ctx, workEmailFilter(u.Email), u.ID)
	}
	if got := k.all(t, k.ctx); len(got) != 2 {
		t.Errorf("List of all users returned %d users, want the 2 deactivated ones", len(got))
	}
}

func checkTenantIsolation(t tb, k *storeKit) {
	shared := sampleUser(1)
	a := k.createIn(t, k.ctx, shared)
	b := k.createIn(t, k.ctxB, shared) // the same userName in another tenant is no conflict
	onlyB := k.createIn(t, k.ctxB, sampleUser(2))
	if a.ID == b.ID {
		t.Errorf("two tenants' users have the same id %q", a.ID)
	}

	for _, id := range []string{b.ID, onlyB.ID} {
		if _, err := k.s.User(k.ctx, id); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("User in tenant %q of tenant %q's user %q: got %v, want an error wrapping %q", tenantA, tenantB, id, err, scim.ErrNotFound)
		}
		if _, err := k.s.User(k.ctx0, id); !errors.Is(err, scim.ErrNotFound) {
			t.Errorf("User without a tenant of tenant %q's user %q: got %v, want an error wrapping %q", tenantB, id, err, scim.ErrNotFound)
		}
		r := sampleUser(3)
		r.ID = id
		_, err := k.s.Replace(k.ctx, r, "")
		wantErrIs(t, fmt.Sprintf("Replace in tenant %q of tenant %q's user", tenantA, tenantB), err, scim.ErrNotFound)
		err = k.s.Delete(k.ctx, id, "")
		wantErrIs(t, fmt.Sprintf("Delete in tenant %q of tenant %q's user", tenantA, tenantB), err, scim.ErrNotFound)
	}
	for _, u := range []*scim.User{b, onlyB} {
		got, err := k.s.User(k.ctxB, u.ID)
		if err != nil {
			t.Errorf("after replaces and deletes from tenant %q, User in tenant %q: %v", tenantA, tenantB, err)
			continue
		}
		k.checkUser(t, fmt.Sprintf("tenant %q's user after writes from tenant %q", tenantB, tenantA), u, got)
	}

	userListing.checkTenantLists(t, a.ID, userIDs(k.all(t, k.ctx)), userIDs(k.all(t, k.ctx0)), userIDs(k.all(t, k.ctxB)))
	k.find(t, k.ctx, cmpEq("userName", shared.UserName), a.ID)
	k.find(t, k.ctx, cmpEq("userName", onlyB.UserName))
	if k.keeps("externalId") {
		k.find(t, k.ctx, cmpEq("externalId", onlyB.ExternalID))
	}
	if k.keeps("emails") {
		k.find(t, k.ctx, workEmailFilter(onlyB.Email))
	}
	k.find(t, k.ctx, k.filter(t, `userName sw "user"`), a.ID)
	k.find(t, k.ctx0, cmpEq("userName", shared.UserName))
}

// concurrently runs f(i) for i in [0, n) on n goroutines released together, and
// returns their errors by i.
func concurrently(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-gate
			errs[i] = f(i)
		})
	}
	close(gate)
	wg.Wait()
	return errs
}

func checkConcurrentCreates(t tb, k *storeKit) {
	const workers, each = 8, 10
	var mu sync.Mutex
	created := map[string]bool{}
	errs := concurrently(workers, func(w int) error {
		for i := range each {
			u, err := k.s.Create(k.ctx, sampleUser(w*each+i))
			if err != nil {
				return fmt.Errorf("Create: %w", err)
			}
			if _, err := k.s.User(k.ctx, u.ID); err != nil {
				return fmt.Errorf("User after Create: %w", err)
			}
			if _, err := k.s.List(k.ctx, scim.Query{StartIndex: 1 + i, Count: 10}); err != nil {
				return fmt.Errorf("List: %w", err)
			}
			mu.Lock()
			dup := created[u.ID]
			created[u.ID] = true
			mu.Unlock()
			if dup {
				return fmt.Errorf("Create returned the id %q twice", u.ID)
			}
		}
		return nil
	})
	for _, err := range errs {
		if err != nil {
			t.Errorf("concurrent creates: %v", err)
		}
	}
	p := k.list(t, k.ctx, scim.Query{StartIndex: 1, Count: 0})
	if p.TotalResults != workers*each {
		t.Errorf("after %d concurrent creates, TotalResults = %d", workers*each, p.TotalResults)
	}
}

func checkConcurrentSameUserName(t tb, k *storeKit) {
	const n = 16
	name := "Concurrent.User@example.com"
	variants := []string{name, strings.ToLower(name), strings.ToUpper(name), swapCase(name)}
	errs := concurrently(n, func(i int) error {
		u := sampleUser(i)
		u.UserName = variants[i%len(variants)]
		_, err := k.s.Create(k.ctx, u)
		return err
	})
	if wins := countWins(t, "concurrent Create of one userName", errs, scim.ErrUniqueness); wins != 1 {
		t.Errorf("%d of %d concurrent creates of one userName in different cases succeeded, want exactly 1", wins, n)
	}
	p := k.list(t, k.ctx, scim.Query{Filter: cmpEq("userName", name), StartIndex: 1, Count: 100})
	if p.TotalResults != 1 {
		t.Errorf("after concurrent creates, userName eq %q matches %d users, want 1", name, p.TotalResults)
	}
}

func checkConcurrentReplace(t tb, k *storeKit) {
	const n = 16
	u := k.create(t, sampleUser(1))
	given := func(i int) string { return fmt.Sprintf("Writer%02d", i) }
	errs := concurrently(n, func(i int) error {
		r := u.Clone()
		r.GivenName = given(i)
		_, err := k.s.Replace(k.ctx, r, u.Meta.Version)
		return err
	})
	if wins := countWins(t, "concurrent Replace at one version", errs, scim.ErrVersionMismatch); wins != 1 {
		t.Errorf("%d of %d concurrent replaces at version %q succeeded, want exactly 1", wins, n, u.Meta.Version)
	}
	stored := k.get(t, u.ID)
	if stored == nil {
		return
	}
	for i, err := range errs {
		if err == nil && stored.GivenName != given(i) {
			t.Errorf("the replace by writer %d succeeded, but the stored GivenName is %q", i, stored.GivenName)
		}
	}
}
