package scimtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/filter"
)

// capabilityCases check the optional interfaces a Store may implement
// beyond scim.Store; each runs only for a store that has the capability.
var capabilityCases = []storeCase{
	{
		name:       "PatchApplies",
		rule:       "scim.Patcher: Patch applies the operations to the user and returns it as stored with a new Meta.Version, which a get then returns",
		needs:      isPatcher,
		capability: "scim.Patcher",
		run:        checkPatchApplies,
	},
	{
		name:       "PatchNotFound",
		rule:       "scim.Patcher and RFC 7644 §3.12: a PATCH of an unknown id, or of another tenant's user, fails with scim.ErrNotFound",
		needs:      isPatcher,
		capability: "scim.Patcher",
		run:        checkPatchNotFound,
	},
	{
		name:       "PatchVersionCompareAndSwap",
		rule:       "scim.Patcher and RFC 7644 §3.14: with a version, Patch applies only at that version and otherwise fails with scim.ErrVersionMismatch, changing nothing",
		needs:      isPatcher,
		capability: "scim.Patcher",
		run:        checkPatchVersion,
	},
	{
		name:       "PatchApplyErrorStoresNothing",
		rule:       "scim.Patcher: an error of Patch.Apply is returned unchanged and nothing is stored (a PATCH is all or nothing, RFC 7644 §3.5.2)",
		needs:      isPatcher,
		capability: "scim.Patcher",
		run:        checkPatchApplyError,
	},
	{
		name:       "PatchConcurrentNoLostUpdates",
		rule:       "scim.Patcher: concurrent PATCHes of one user without a version all take effect; none is lost (Entra ID sends one PATCH per attribute change)",
		needs:      isPatcher,
		capability: "scim.Patcher",
		run:        checkPatchConcurrent,
	},
}

func isPatcher(s scim.Store) bool {
	_, ok := s.(scim.Patcher)
	return ok
}

// setActive is Okta's deactivation as a Patch: replace active.
func setActive(active bool) scim.Patch {
	return scim.Patch{
		Operations: []scim.PatchOperation{{
			Op:    scim.PatchReplace,
			Path:  &filter.Path{Attr: filter.AttrPath{Name: "active"}},
			Value: json.RawMessage(strconv.FormatBool(active)),
		}},
		Apply: func(u *scim.User) (*scim.User, error) {
			c := u.Clone()
			c.Active = active
			return c, nil
		},
	}
}

// addRegion adds a value to the multi-valued custom attribute regions.
func addRegion(region string) scim.Patch {
	return scim.Patch{
		Operations: []scim.PatchOperation{{
			Op:    scim.PatchAdd,
			Path:  &filter.Path{Attr: filter.AttrPath{Name: "regions"}},
			Value: json.RawMessage(strconv.Quote(region)),
		}},
		Apply: func(u *scim.User) (*scim.User, error) {
			c := u.Clone()
			if c.Custom == nil {
				c.Custom = map[string]any{}
			}
			r, _ := c.Custom["regions"].([]string)
			c.Custom["regions"] = append(r, region)
			return c, nil
		},
	}
}

func checkPatchApplies(t tb, k *storeKit) {
	p := k.s.(scim.Patcher)
	u := k.create(t, sampleUser(1))
	got, err := p.Patch(k.ctx, u.ID, setActive(false), "")
	if err != nil {
		t.Fatalf("Patch(active false): %v", err)
	}
	want := sampleUser(1)
	want.Active = false
	k.checkUser(t, "Patch returned", want, got)
	if got.Meta.Version == u.Meta.Version {
		t.Errorf("Patch returned the version %q the user had before", got.Meta.Version)
	}
	if stored := k.get(t, u.ID); stored != nil {
		k.checkUser(t, "User after Patch returned", want, stored)
		if stored.Meta.Version != got.Meta.Version {
			t.Errorf("User after Patch: Meta.Version = %q, Patch returned %q", stored.Meta.Version, got.Meta.Version)
		}
	}
}

func checkPatchNotFound(t tb, k *storeKit) {
	p := k.s.(scim.Patcher)
	other := k.createIn(t, k.ctxB, sampleUser(1))
	for _, c := range []struct{ what, id string }{
		{"an unknown id", "2819c223-7f76-453a-919d-413861904646"},
		{fmt.Sprintf("tenant %q's user", tenantB), other.ID},
	} {
		_, err := p.Patch(k.ctx, c.id, setActive(false), "")
		wantErrIs(t, "Patch of "+c.what, err, scim.ErrNotFound)
	}
	if got, err := k.s.User(k.ctxB, other.ID); err != nil {
		t.Errorf("User in tenant %q: %v", tenantB, err)
	} else if !got.Active {
		t.Errorf("a Patch from tenant %q deactivated tenant %q's user", tenantA, tenantB)
	}
}

func checkPatchVersion(t tb, k *storeKit) {
	p := k.s.(scim.Patcher)
	u := k.create(t, sampleUser(1))
	cur, err := p.Patch(k.ctx, u.ID, setActive(false), u.Meta.Version)
	if err != nil {
		t.Fatalf("Patch at the current version %q: %v", u.Meta.Version, err)
	}
	_, err = p.Patch(k.ctx, u.ID, setActive(true), u.Meta.Version)
	wantErrIs(t, fmt.Sprintf("Patch at stale version %q (current %q)", u.Meta.Version, cur.Meta.Version), err, scim.ErrVersionMismatch)
	if stored := k.get(t, u.ID); stored != nil {
		k.checkUser(t, "after a Patch at a stale version, the user", cur, stored)
		if stored.Meta.Version != cur.Meta.Version {
			t.Errorf("a Patch at a stale version changed Meta.Version from %q to %q", cur.Meta.Version, stored.Meta.Version)
		}
	}
}

func checkPatchApplyError(t tb, k *storeKit) {
	p := k.s.(scim.Patcher)
	u := k.create(t, sampleUser(1))
	refused := &scim.Error{Status: 400, ScimType: "invalidValue", Detail: "scimtest: refused"}
	called := false
	patch := setActive(false)
	patch.Apply = func(*scim.User) (*scim.User, error) {
		called = true
		return nil, refused
	}
	_, err := p.Patch(k.ctx, u.ID, patch, "")
	if !called {
		// The store applied the operation natively without Apply.
		t.Logf("the store did not call Patch.Apply for a replace of active")
		return
	}
	if err != refused {
		t.Errorf("Patch whose Apply failed returned %v, want Apply's error unchanged", err)
	}
	if stored := k.get(t, u.ID); stored != nil {
		k.checkUser(t, "after a Patch whose Apply failed, the user", sampleUser(1), stored)
		if stored.Meta.Version != u.Meta.Version {
			t.Errorf("a Patch whose Apply failed changed Meta.Version from %q to %q", u.Meta.Version, stored.Meta.Version)
		}
	}
}

func checkPatchConcurrent(t tb, k *storeKit) {
	const n = 8
	p := k.s.(scim.Patcher)
	u := k.create(t, &scim.User{UserName: "patched@example.com", Active: true})
	region := func(i int) string { return "r" + strconv.Itoa(i) }
	errs := concurrently(n, func(i int) error {
		_, err := p.Patch(k.ctx, u.ID, addRegion(region(i)), "")
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Patch %d without a version: %v", i, err)
		}
	}
	stored := k.get(t, u.ID)
	if stored == nil {
		return
	}
	got, _ := stored.Custom["regions"].([]string)
	for i, err := range errs {
		if err == nil && !slices.Contains(got, region(i)) {
			t.Errorf("the update of Patch %d is lost: regions = %q", i, got)
		}
	}
}
