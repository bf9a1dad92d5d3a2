package scim

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/scimkit/scim/internal/jsontext"
)

// FuzzPatchRuns checks that applying a PATCH, whose runs of operations on
// regions go in one pass, gives what applying its operations one PATCH at
// a time gives, and that no list ever passes Limits.MaxValues.
func FuzzPatchRuns(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{0, 0, 0, 1, 1, 1, 2, 2, 2})
	f.Add([]byte{5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5})
	cfg := patchConfig()
	cfg.Limits.MaxValues = 8
	h := newPatchHandler(f, cfg, newPatchStore())
	f.Fuzz(func(t *testing.T, program []byte) {
		if len(program) > 64 {
			program = program[:64]
		}
		var ops []string
		for i, b := range program {
			v := fmt.Sprintf("v%d", b%7)
			switch b % 6 {
			case 0, 1:
				ops = append(ops, fmt.Sprintf(`{"op":"add","path":"regions","value":[%q,"v%d"]}`, v, i%5))
			case 2:
				ops = append(ops, fmt.Sprintf(`{"op":"remove","path":"regions","value":[%q]}`, v))
			case 3:
				ops = append(ops, fmt.Sprintf(`{"op":"remove","path":"regions[value sw \"%s\"]"}`, v[:1+int(b)%2]))
			case 4:
				ops = append(ops, fmt.Sprintf(`{"op":"remove","path":"regions[value co \"%d\"]"}`, b%7))
			case 5:
				ops = append(ops, fmt.Sprintf(`{"op":"add","path":"regions","value":%q}`, v+","+"w"))
			}
		}
		if len(ops) == 0 {
			return
		}
		all, eAll := h.patchBytes(annUser(), []byte(patchOps(ops...)))
		one := annUser()
		var eOne *Error
		for _, op := range ops {
			next, e := h.patchBytes(one, []byte(patchOps(op)))
			if e != nil {
				eOne = e
				break
			}
			one = next
		}
		if (eAll == nil) != (eOne == nil) {
			t.Fatalf("ops %s: together: %v; one at a time: %v", strings.Join(ops, ","), eAll, eOne)
		}
		if eAll != nil {
			if !strings.Contains(eAll.Detail, "Limits.MaxValues") && eAll.Detail != eOne.Detail {
				t.Fatalf("ops %s: together %q, one at a time %q", strings.Join(ops, ","), eAll.Detail, eOne.Detail)
			}
			return
		}
		if got, want := all.Custom["regions"], one.Custom["regions"]; !reflect.DeepEqual(got, want) {
			t.Fatalf("ops %s: together %v, one at a time %v", strings.Join(ops, ","), got, want)
		}
		if n := customLen(all.Custom["regions"]); n > 8 {
			t.Fatalf("%d regions, limit 8", n)
		}
	})
}

// FuzzUserLimits checks that a create is refused exactly when a value
// passes its limit or holds a NUL, and that the refusal names the
// attribute.
func FuzzUserLimits(f *testing.F) {
	f.Add("ann@example.com", "Ann", "us1", uint8(3))
	f.Add(strings.Repeat("u", 40), "\x00", "", uint8(0))
	f.Add("a", strings.Repeat("é", 9), "x,y", uint8(9))
	cfg := patchConfig()
	cfg.Limits = Limits{MaxUserNameLength: 32, MaxStringLength: 16, MaxValues: 4}
	h := newPatchHandler(f, cfg, newPatchStore())
	f.Fuzz(func(t *testing.T, userName, given, region string, nRegions uint8) {
		regions := make([]string, nRegions%8)
		for i := range regions {
			regions[i] = fmt.Sprintf("%s%d", region, i)
		}
		body, _ := json.Marshal(map[string]any{
			"schemas": []string{UserURN}, "userName": userName,
			"name": map[string]string{"givenName": given}, "regions": regions,
		})
		u, _, e := h.decodeUser(body)
		if e == nil {
			e = h.checkUser(u)
		}
		// What the decoder keeps (invalid UTF-8 becomes U+FFFD).
		var back struct {
			UserName string
			Name     struct{ GivenName string }
			Regions  []string
		}
		json.Unmarshal(body, &back)
		want := ""
		switch {
		case len(back.UserName) > 32 || strings.Contains(back.UserName, "\x00"):
			want = `"userName"`
		case len(back.Name.GivenName) > 16 || strings.Contains(back.Name.GivenName, "\x00"):
			want = `"name.givenName"`
		case len(back.Regions) > 4:
			want = `"regions"`
		}
		for _, r := range back.Regions {
			if want == "" && (len(r) > 16 || strings.Contains(r, "\x00")) {
				want = `"regions"`
			}
		}
		switch {
		case want == "" && e != nil && e.ScimType == ScimTypeInvalidValue && strings.Contains(e.Detail, "Limits."):
			t.Fatalf("refused within the limits: %s", e.Detail)
		case want != "" && e == nil:
			t.Fatalf("accepted %s over its limit", want)
		case want != "" && e != nil && e.ScimType == ScimTypeInvalidValue && !strings.Contains(e.Detail, want):
			// Decoding errors (a region that is an empty string after
			// splitting…) are not limits; only limit errors must match.
			if strings.Contains(e.Detail, "Limits.") || strings.Contains(e.Detail, "NUL") {
				t.Fatalf("detail %q does not name %s", e.Detail, want)
			}
		}
	})
}

// FuzzPathlessPatchKeys checks that a path-less value is refused for
// setting one attribute twice exactly when two of its keys name the same
// leaf, and never panics.
func FuzzPathlessPatchKeys(f *testing.F) {
	f.Add("name", "name.givenName")
	f.Add("name.familyName", "name.givenName")
	f.Add("emails", `emails[type eq "work"].value`)
	f.Add("displayName", "externalId")
	h := newPatchHandler(f, patchConfig(), newPatchStore())
	f.Fuzz(func(t *testing.T, a, b string) {
		val := func(k string) string {
			switch {
			case strings.EqualFold(k, "name"):
				return `{"givenName":"A"}`
			case strings.EqualFold(k, "emails"):
				return `[{"type":"work","value":"a@e.com"}]`
			case strings.EqualFold(k, "active"):
				return `true`
			case strings.EqualFold(k, "regions"):
				return `["a"]`
			}
			return `"v"`
		}
		ka, _ := json.Marshal(a)
		kb, _ := json.Marshal(b)
		body := patchOps(`{"op":"replace","value":{` + string(ka) + `:` + val(a) + `,` + string(kb) + `:` + val(b) + `}}`)
		_, e := h.patchBytes(annUser(), []byte(body))
		twice := e != nil && strings.Contains(e.Detail, "set the same attribute")
		same := func(x, y string) bool { return x == y }
		if twice && same(a, b) {
			t.Fatalf("%q and %q: the duplicate key check should have caught it first: %s", a, b, e.Detail)
		}
		if (a == "name" && b == "name.givenName" || a == "name.givenName" && b == "name") && !twice {
			t.Fatalf("%q and %q set name.givenName twice: %v", a, b, e)
		}
		if a == "displayName" && b == "externalId" && e != nil {
			t.Fatalf("%q and %q: %v", a, b, e)
		}
	})
}

// FuzzJSONStringLen holds the limit walk's size of a string to what the
// encoder writes for it.
func FuzzJSONStringLen(f *testing.F) {
	for _, s := range []string{"", "ann", "a\"b\\c\n\t\x00\x1f<>&", "é\u2028\u2029\xff\xfe", "日本語"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := jsonStringLen(s), len(jsontext.AppendString(nil, s)); got != want {
			t.Fatalf("jsonStringLen(%q) = %d, the encoder writes %d bytes", s, got, want)
		}
	})
}
