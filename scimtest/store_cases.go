package scimtest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/scimkit/scim"
)

// coreCases check the promises of scim.Store, in the order a reader of a
// failure report would want them: round trips first, then the rules built
// on them.
var coreCases = []storeCase{
	{
		name: "CreateAndGet",
		rule: "RFC 7644 §3.3 and §3.4.1: Create returns the user as stored and a later get returns the same attributes; every User field, custom attributes of every kind included, survives",
		run:  checkCreateAndGet,
	},
	{
		name: "IDAndVersionAssigned",
		rule: "RFC 7643 §3.1: the service provider assigns a unique id and a meta.version to every created user",
		run:  checkIDAndVersionAssigned,
	},
	{
		name: "ReplaceRoundTrip",
		rule: "RFC 7644 §3.5.1: a replace (PUT) sets every attribute, cleared ones included, and keeps the id; a get returns the replaced user",
		run:  checkReplaceRoundTrip,
	},
	{
		name: "Delete",
		rule: "RFC 7644 §3.6: a deleted user is not found by get, replace or delete, is omitted from lists, and does not count in conflicts (its userName is free again)",
		run:  checkDelete,
	},
	{
		name: "NotFound",
		rule: "RFC 7644 §3.12 (404) and scim.Store: get, replace and delete of an unknown id return an error wrapping scim.ErrNotFound and change nothing; id is caseExact (RFC 7643 §3.1), so an id in another case is unknown",
		run:  checkNotFound,
	},
	{
		name: "UserNameUniqueIgnoringCase",
		rule: "RFC 7643 §4.1.1: userName is unique within the tenant and caseExact false, so a create whose userName differs only in case fails with scim.ErrUniqueness (Okta and Entra ID expect 409 uniqueness)",
		run:  checkUserNameUnique,
	},
	{
		name: "UserNameUniqueOnReplace",
		rule: "RFC 7643 §4.1.1 with RFC 7644 §3.5.1: a replace that renames a user onto another's userName, in any case, fails with scim.ErrUniqueness and changes nothing; a user may change the case of its own userName",
		run:  checkUserNameUniqueOnReplace,
	},
	{
		name: "VersionCompareAndSwap",
		rule: "RFC 7644 §3.14 (If-Match) and scim.Store: replace and delete with a stale version fail with scim.ErrVersionMismatch and change nothing; with the current or the empty version they succeed. The handler retries PATCH on it, so no update is lost",
		run:  checkVersionCompareAndSwap,
	},
	{
		name: "VersionChangesOnEveryWrite",
		rule: "RFC 7643 §3.1 meta.version and RFC 7644 §3.14: every replace assigns a version the user never had before, so an ETag read before a write never matches after it",
		run:  checkVersionChanges,
	},
	{
		name: "ReturnedUsersAreCopies",
		rule: "scim.Store: the store owns its state; changing a user passed to Create or Replace after the call, or one returned by any method, does not change the stored user (handlers and hooks change users freely)",
		run:  checkCopies,
	},
	{
		name: "StablePaging",
		rule: "RFC 7644 §3.4.2.4: startIndex is 1-based, a page holds at most count users, and pages of the stable order concatenate to the whole list with no user skipped or repeated; Okta imports with startIndex += 100 until totalResults",
		run:  checkStablePaging,
	},
	{
		name: "CountZero",
		rule: "RFC 7644 §3.4.2.4: count=0 asks for totalResults only, with no resources",
		run:  checkCountZero,
	},
	{
		name: "FilterUserNameAnyCase",
		rule: "RFC 7643 §4.1.1 userName caseExact false: Okta's existence check userName eq \"x\" finds a user whose userName differs in case",
		run:  checkFilterUserName,
	},
	{
		name: "FilterExternalIDCaseExact",
		rule: "RFC 7643 §3.1 externalId caseExact: Entra ID's externalId eq \"x\" finds exactly that externalId, not one differing in case",
		run:  checkFilterExternalID,
	},
	{
		name: "FilterWorkEmail",
		rule: "Entra ID looks users up with emails[type eq \"work\"].value eq \"x\" (resolved as emails[type eq \"work\" and value eq \"x\"]); emails.value is caseExact false (RFC 7643 §4.1.2)",
		run:  checkFilterWorkEmail,
	},
	{
		name: "FilterAnd",
		rule: "RFC 7644 §3.4.2.2: Entra ID joins lookups with and; a user matches only when both sides hold",
		run:  checkFilterAnd,
	},
	{
		name: "FilterNoMatch",
		rule: "Okta's and Entra ID's Test Connection look up a random userName: no match is totalResults 0 and no users, not an error",
		run:  checkFilterNoMatch,
	},
	{
		name: "FilterNeverIgnored",
		rule: "scim.Store List (RFC 7644 §3.4.2.2): every filter is evaluated exactly as filter.Match does, or rejected with scim.ErrUnsupportedFilter; it is never ignored or approximated",
		run:  checkFilterNeverIgnored,
	},
	{
		name: "DeactivatedUsersVisible",
		rule: "Okta and Entra ID deprovision with active=false and expect the user still returned by get and by filters (RFC 7643 §4.1.1 active)",
		run:  checkDeactivatedVisible,
	},
	{
		name: "TenantIsolation",
		rule: "scim.Store: the tenant in the context partitions the users; the same userName may exist in two tenants, and no get, list, filter, replace or delete reaches another tenant's user",
		run:  checkTenantIsolation,
	},
	{
		name: "ConcurrentCreates",
		rule: "scim.Store is safe for concurrent use: creates, gets and lists in parallel all succeed and every user gets its own id (run with -race)",
		run:  checkConcurrentCreates,
	},
	{
		name: "ConcurrentCreateSameUserName",
		rule: "RFC 7643 §4.1.1 uniqueness under concurrency: IdPs provision in parallel and retry; of simultaneous creates of one userName, in any case, exactly one succeeds and the others fail with scim.ErrUniqueness",
		run:  checkConcurrentSameUserName,
	},
	{
		name: "ConcurrentReplaceSameVersion",
		rule: "RFC 7644 §3.14 under concurrency: of simultaneous replaces at the same version exactly one succeeds and the others fail with scim.ErrVersionMismatch, so no update is lost",
		run:  checkConcurrentReplace,
	},
}

func checkCreateAndGet(t tb, k *storeKit) {
	want := sampleUser(1)
	got := k.create(t, want)
	k.checkUser(t, "Create returned", want, got)
	stored := k.get(t, got.ID)
	if stored == nil {
		return
	}
	k.checkUser(t, "User after Create returned", want, stored)
	if stored.ID != got.ID {
		t.Errorf("User(%q).ID = %q", got.ID, stored.ID)
	}
	if stored.Meta.Version != got.Meta.Version {
		t.Errorf("User after Create: Meta.Version = %q, Create returned %q", stored.Meta.Version, got.Meta.Version)
	}

	// A user without custom attributes or optional values stays so.
	// Its meta times, left zero, may be the store's own (a column's
	// default, such as created_at NOT NULL DEFAULT now()): a get returns
	// what Create did.
	bare := &scim.User{UserName: "bare@example.com", Active: true}
	got = k.create(t, bare)
	want = bare.Clone()
	want.Meta.Created, want.Meta.LastModified = got.Meta.Created, got.Meta.LastModified
	k.checkUser(t, "Create of a bare user returned", want, got)
	if stored := k.get(t, got.ID); stored != nil {
		k.checkUser(t, "User after Create of a bare user returned", want, stored)
	}
}

func checkIDAndVersionAssigned(t tb, k *storeKit) {
	seen := map[string]bool{}
	for i := range 5 {
		u := k.create(t, sampleUser(i))
		if u.ID == "" {
			t.Errorf("Create returned an empty ID")
		} else if seen[u.ID] {
			t.Errorf("Create returned the ID %q twice", u.ID)
		}
		seen[u.ID] = true
		if u.Meta.Version == "" {
			t.Errorf("Create returned an empty Meta.Version for %q", u.ID)
		}
	}
}

func checkReplaceRoundTrip(t tb, k *storeKit) {
	u := k.create(t, sampleUser(1))
	want := &scim.User{
		ID:          u.ID,
		ExternalID:  "new-external-id",
		UserName:    "renamed@example.com",
		GivenName:   "Ann",
		FamilyName:  "Lee",
		DisplayName: "", // cleared
		Email:       "", // cleared
		Active:      false,
		Custom:      map[string]any{"costCenter": "cc-new", "regions": []string{"apac1"}},
		Meta:        scim.Meta{Created: u.Meta.Created, LastModified: u.Meta.LastModified.Add(60e9)},
	}
	got, err := k.s.Replace(k.ctx, want.Clone(), u.Meta.Version)
	if err != nil {
		t.Fatalf("Replace: %v", err)
	}
	k.checkUser(t, "Replace returned", want, got)
	if got.ID != u.ID {
		t.Errorf("Replace returned ID %q, want %q", got.ID, u.ID)
	}
	if stored := k.get(t, u.ID); stored != nil {
		k.checkUser(t, "User after Replace returned", want, stored)
		if stored.Meta.Version != got.Meta.Version {
			t.Errorf("User after Replace: Meta.Version = %q, Replace returned %q", stored.Meta.Version, got.Meta.Version)
		}
	}
	// The old userName is free, the new one is taken.
	if _, err := k.s.Create(k.ctx, sampleUser(1)); err != nil {
		t.Errorf("Create with the userName the user had before Replace: %v", err)
	}
	_, err = k.s.Create(k.ctx, &scim.User{UserName: want.UserName})
	wantErrIs(t, "Create with the userName set by Replace", err, scim.ErrUniqueness)
}

func checkDelete(t tb, k *storeKit) {
	gone := k.create(t, sampleUser(1))
	kept := k.create(t, sampleUser(2))
	if err := k.s.Delete(k.ctx, gone.ID, gone.Meta.Version); err != nil {
		t.Fatalf("Delete(%q): %v", gone.ID, err)
	}
	_, err := k.s.User(k.ctx, gone.ID)
	wantErrIs(t, "User after Delete", err, scim.ErrNotFound)
	r := sampleUser(1)
	r.ID = gone.ID
	_, err = k.s.Replace(k.ctx, r, "")
	wantErrIs(t, "Replace after Delete", err, scim.ErrNotFound)
	wantErrIs(t, "Delete after Delete", k.s.Delete(k.ctx, gone.ID, ""), scim.ErrNotFound)

	if got := userIDs(k.all(t, k.ctx)); len(got) != 1 || got[0] != kept.ID {
		t.Errorf("List after Delete returned %q, want only %q", got, kept.ID)
	}
	// The lookups Okta and Entra ID send, by what the store keeps: one by
	// an attribute it does not keep may be refused (scim.Kept.Missing).
	k.find(t, k.ctx, cmpEq("userName", gone.UserName))
	if k.keeps("externalId") {
		k.find(t, k.ctx, cmpEq("externalId", gone.ExternalID))
	}
	if k.keeps("emails") {
		k.find(t, k.ctx, workEmailFilter(gone.Email))
	}
	if _, err := k.s.Create(k.ctx, sampleUser(1)); err != nil {
		t.Errorf("Create with a deleted user's userName: %v", err)
	}
	if u := k.get(t, kept.ID); u != nil {
		k.checkUser(t, "the user not deleted", sampleUser(2), u)
	}
}

func checkNotFound(t tb, k *storeKit) {
	u := k.create(t, sampleUser(1))
	unknown := []struct{ name, id string }{
		{"unknown", "2819c223-7f76-453a-919d-413861904646"},
		{"empty", ""},
	}
	if s := swapCase(u.ID); s != u.ID {
		unknown = append(unknown, struct{ name, id string }{"other case", s})
	}
	for _, c := range unknown {
		_, err := k.s.User(k.ctx, c.id)
		wantErrIs(t, fmt.Sprintf("User(%s id %q)", c.name, c.id), err, scim.ErrNotFound)
		r := sampleUser(2)
		r.ID = c.id
		_, err = k.s.Replace(k.ctx, r, "")
		wantErrIs(t, fmt.Sprintf("Replace(%s id %q)", c.name, c.id), err, scim.ErrNotFound)
		err = k.s.Delete(k.ctx, c.id, "")
		wantErrIs(t, fmt.Sprintf("Delete(%s id %q)", c.name, c.id), err, scim.ErrNotFound)
	}
	if got := k.all(t, k.ctx); len(got) != 1 {
		t.Errorf("after replaces and deletes of unknown ids, List returned %d users, want 1", len(got))
	}
	if stored := k.get(t, u.ID); stored != nil {
		k.checkUser(t, "the existing user", sampleUser(1), stored)
	}
}

func checkUserNameUnique(t tb, k *storeKit) {
	for _, name := range []string{"Barbara.Jensen@example.com", "Zoë.Ärger@example.com"} {
		first := &scim.User{UserName: name, Active: true}
		k.create(t, first)
		for _, other := range []string{name, strings.ToLower(name), strings.ToUpper(name), swapCase(name)} {
			_, err := k.s.Create(k.ctx, &scim.User{UserName: other, Active: true})
			wantErrIs(t, fmt.Sprintf("Create(%q) after Create(%q)", other, name), err, scim.ErrUniqueness)
		}
	}
	if got := k.all(t, k.ctx); len(got) != 2 {
		t.Errorf("List returned %d users after the conflicting creates, want 2", len(got))
	}
	// A different userName is not a conflict.
	k.create(t, &scim.User{UserName: "Barbara.Jensen2@example.com"})
}

func checkUserNameUniqueOnReplace(t tb, k *storeKit) {
	a := k.create(t, sampleUser(1))
	b := k.create(t, sampleUser(2))
	for _, name := range []string{a.UserName, strings.ToUpper(a.UserName)} {
		r := b.Clone()
		r.UserName = name
		_, err := k.s.Replace(k.ctx, r, "")
		wantErrIs(t, fmt.Sprintf("Replace renaming %q to %q", b.UserName, name), err, scim.ErrUniqueness)
	}
	if stored := k.get(t, b.ID); stored != nil {
		k.checkUser(t, "the user a conflicting Replace renamed", sampleUser(2), stored)
		if stored.Meta.Version != b.Meta.Version {
			t.Errorf("a conflicting Replace changed Meta.Version from %q to %q", b.Meta.Version, stored.Meta.Version)
		}
	}
	r := a.Clone()
	r.UserName = strings.ToUpper(a.UserName)
	got, err := k.s.Replace(k.ctx, r, "")
	if err != nil {
		t.Errorf("Replace changing the case of the user's own userName: %v", err)
		return
	}
	if got.UserName != r.UserName {
		t.Errorf("Replace returned userName %q, want %q as sent", got.UserName, r.UserName)
	}
	k.find(t, k.ctx, cmpEq("userName", a.UserName), a.ID)
}

func checkVersionCompareAndSwap(t tb, k *storeKit) {
	u := k.create(t, sampleUser(1))
	v1 := u.Meta.Version
	r := u.Clone()
	r.GivenName = "Second"
	u2, err := k.s.Replace(k.ctx, r, v1)
	if err != nil {
		t.Fatalf("Replace at the current version %q: %v", v1, err)
	}
	for _, stale := range []string{v1, `W/"scimtest-never-issued"`} {
		r := u2.Clone()
		r.GivenName = "Lost"
		_, err := k.s.Replace(k.ctx, r, stale)
		wantErrIs(t, fmt.Sprintf("Replace at stale version %q (current %q)", stale, u2.Meta.Version), err, scim.ErrVersionMismatch)
		err = k.s.Delete(k.ctx, u.ID, stale)
		wantErrIs(t, fmt.Sprintf("Delete at stale version %q (current %q)", stale, u2.Meta.Version), err, scim.ErrVersionMismatch)
	}
	if stored := k.get(t, u.ID); stored != nil {
		k.checkUser(t, "after writes at stale versions, the user", u2, stored)
		if stored.Meta.Version != u2.Meta.Version {
			t.Errorf("writes at stale versions changed Meta.Version from %q to %q", u2.Meta.Version, stored.Meta.Version)
		}
	}

	// The empty version is unconditional.
	r = u2.Clone()
	r.GivenName = "Third"
	u3, err := k.s.Replace(k.ctx, r, "")
	if err != nil {
		t.Errorf("Replace with the empty version: %v", err)
	} else if stored := k.get(t, u.ID); stored != nil && stored.GivenName != "Third" {
		t.Errorf("after Replace with the empty version GivenName = %q, want %q", stored.GivenName, "Third")
	}
	if u3 != nil {
		if err := k.s.Delete(k.ctx, u.ID, u3.Meta.Version); err != nil {
			t.Errorf("Delete at the current version %q: %v", u3.Meta.Version, err)
		}
	}
	other := k.create(t, sampleUser(2))
	if err := k.s.Delete(k.ctx, other.ID, ""); err != nil {
		t.Errorf("Delete with the empty version: %v", err)
	}
}

func checkVersionChanges(t tb, k *storeKit) {
	u := k.create(t, sampleUser(1))
	seen := map[string]bool{u.Meta.Version: true}
	cur := u
	for i := range 5 {
		r := cur.Clone()
		if i%2 == 0 {
			r.GivenName = fmt.Sprintf("Given%d", i)
		} // odd writes change nothing: the version changes all the same
		got, err := k.s.Replace(k.ctx, r, cur.Meta.Version)
		if err != nil {
			t.Fatalf("Replace %d at the current version %q: %v", i+1, cur.Meta.Version, err)
		}
		switch {
		case i%2 == 1 && k.kept != nil && k.kept.ContentVersions:
			// scim.Kept.ContentVersions: a write that changes nothing
			// keeps the version, and only such a write does.
			if got.Meta.Version != cur.Meta.Version {
				t.Errorf("Replace %d changed nothing but the version, from %q to %q, in a store with content versions", i+1, cur.Meta.Version, got.Meta.Version)
			}
		case seen[got.Meta.Version]:
			t.Errorf("Replace %d returned the version %q the user already had", i+1, got.Meta.Version)
		}
		seen[got.Meta.Version] = true
		if stored := k.get(t, u.ID); stored != nil && stored.Meta.Version != got.Meta.Version {
			t.Errorf("after Replace %d, User has version %q, Replace returned %q", i+1, stored.Meta.Version, got.Meta.Version)
		}
		cur = got
	}
}

// mutateUser changes every kind of field of u, custom slices in place.
func mutateUser(u *scim.User) {
	u.UserName = "mutated-" + u.UserName
	u.GivenName = "Mutated"
	u.Active = !u.Active
	u.Meta.Version = `W/"mutated"`
	if r, ok := u.Custom["regions"].([]string); ok && len(r) > 0 {
		r[0] = "mutated"
	}
	if u.Custom != nil {
		u.Custom["mutated"] = true
	}
}

func checkCopies(t tb, k *storeKit) {
	want := sampleUser(1)
	in := want.Clone()
	out, err := k.s.Create(k.ctx, in)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	id, version := out.ID, out.Meta.Version
	unchanged := func(after string) {
		t.Helper()
		stored, err := k.s.User(k.ctx, id)
		if err != nil {
			t.Errorf("User after %s: %v", after, err)
			return
		}
		for _, d := range k.diffUser(want, stored) {
			t.Errorf("after %s, the stored user changed: %s", after, d)
		}
		if stored.Meta.Version != version {
			t.Errorf("after %s, the stored version changed from %q to %q", after, version, stored.Meta.Version)
		}
	}
	mutateUser(in)
	unchanged("changing the user passed to Create")
	mutateUser(out)
	unchanged("changing the user Create returned")
	if got, err := k.s.User(k.ctx, id); err == nil {
		mutateUser(got)
		unchanged("changing the user User returned")
	}
	for _, u := range k.all(t, k.ctx) {
		mutateUser(u)
	}
	unchanged("changing the users List returned")
	p := k.list(t, k.ctx, scim.Query{Filter: cmpEq("userName", want.UserName), StartIndex: 1, Count: 10})
	for _, u := range p.Users {
		mutateUser(u)
	}
	unchanged("changing the users a filtered List returned")

	in = want.Clone()
	in.ID = id
	in.GivenName = "Replaced"
	out, err = k.s.Replace(k.ctx, in, "")
	if err != nil {
		t.Fatalf("Replace: %v", err)
	}
	want, version = in.Clone(), out.Meta.Version
	mutateUser(in)
	unchanged("changing the user passed to Replace")
	mutateUser(out)
	unchanged("changing the user Replace returned")
}

// countWins reports every error in errs that does not wrap want and
// returns how many calls succeeded.
func countWins(t tb, what string, errs []error, want error) (wins int) {
	t.Helper()
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, want):
			t.Errorf("%s: got error %v, want nil or one wrapping %q", what, err, want)
		}
	}
	return wins
}
