package scim_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// Attacks on the RFC profile's own attributes, as a client with one valid
// token sent them to a demo started with -profile rfc: each is refused
// with an error naming the attribute and the limit, and nothing is
// written.

func rfcLimitsHandler(t *testing.T, limits scim.Limits) (*scim.Handler, *memstore.Store) {
	t.Helper()
	st := memstore.New()
	h, err := scim.NewHandler(st, scim.Config{Authenticator: scim.SkipAuthentication, Profile: scim.ProfileRFC, Limits: limits})
	if err != nil {
		t.Fatal(err)
	}
	return h, st
}

func rfcUser(userName, extra string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":` + quote(userName) + extra + `}`
}

func TestLimitsRFCAttributeValues(t *testing.T) {
	h, st := rfcLimitsHandler(t, scim.Limits{})
	big := strings.Repeat("x", 900_000)
	for _, tt := range []struct{ extra, attr string }{
		{`,"title":"` + big + `"`, `"title"`},
		{`,"name":{"formatted":"` + big + `"}`, `"name.formatted"`},
		{`,"addresses":[{"type":"work","formatted":"` + big + `"}]`, `"addresses[0].formatted"`},
		{`,"emails":[{"type":"work","value":"a@example.com"},{"type":"home","value":"` + big + `"}]`, `"emails[1].value"`},
		{`,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"` + big + `"}}`, `manager.value"`},
		{`,"title":"a\u0000b"`, `"title"`},
		{`,"addresses":[{"formatted":"a\u0000b"}]`, `"addresses[0].formatted"`},
	} {
		wantDetail(t, do(t, h, "POST", "/Users", rfcUser("ann", tt.extra)), 400, "invalidValue", tt.attr)
		if n := userCount(t, st); n != 0 {
			t.Fatalf("%.60s: %d users stored", tt.extra, n)
		}
	}
}

// phones is a phoneNumbers value of n distinct numbers from from.
func phones(from, n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"value":"+1 555 %07d","type":"work"}`, from+i)
	}
	return b.String() + "]"
}

func TestLimitsRFCValueCounts(t *testing.T) {
	h, _ := rfcLimitsHandler(t, scim.Limits{})
	u := decodeAny(t, do(t, h, "POST", "/Users", rfcUser("ann", `,"phoneNumbers":`+phones(0, 1000))).Body.Bytes())
	id, _ := u["id"].(string)
	before := do(t, h, "GET", "/Users/"+id, "").Body.String()
	// 20,000 more in one PATCH (such PATCHes stored 165,000).
	rec := do(t, h, "PATCH", "/Users/"+id, patchBody(`{"op":"add","path":"phoneNumbers","value":`+phones(1000, 20_000)+`}`))
	wantDetail(t, rec, 400, "invalidValue", `"phoneNumbers"`, "Limits.MaxValues")
	// A thousand removes by a filter that matches nothing, over the full
	// list, would test a million elements: refused before any scan.
	ops := make([]string, 1000)
	for i := range ops {
		ops[i] = fmt.Sprintf(`{"op":"remove","path":"phoneNumbers[value co \"zz%d\"]"}`, i)
	}
	wantDetail(t, do(t, h, "PATCH", "/Users/"+id, patchBody(ops...)), http.StatusRequestEntityTooLarge, "", "Limits.MaxOperations", "Limits.MaxValues")
	// Half of them is within the bound, and changes nothing.
	if rec := do(t, h, "PATCH", "/Users/"+id, patchBody(ops[:500]...)); rec.Code != http.StatusOK {
		t.Fatalf("500 removes: %d %s", rec.Code, rec.Body)
	}
	if after := do(t, h, "GET", "/Users/"+id, "").Body.String(); after != before {
		t.Error("the refused PATCHes changed the user")
	}
}

// A user grown by many PATCHes, each within the string and count limits,
// stops at MaxResourceBytes: the PATCH that would pass it is a 413 naming
// the limit, and a page of such users stays within the response budget.
func TestLimitsRFCResourceSize(t *testing.T) {
	h, _ := rfcLimitsHandler(t, scim.Limits{})
	address := strings.Repeat("a", 1000)
	var ids []string
	for u := range 3 {
		id, _ := decodeAny(t, do(t, h, "POST", "/Users", rfcUser(fmt.Sprintf("u%d", u), "")).Body.Bytes())["id"].(string)
		ids = append(ids, id)
		refused := false
		for i := range 80 {
			rec := do(t, h, "PATCH", "/Users/"+id, patchBody(fmt.Sprintf(`{"op":"add","path":"addresses","value":[{"formatted":"%d %s"}]}`, i, address)))
			if rec.Code == http.StatusOK {
				continue
			}
			wantDetail(t, rec, http.StatusRequestEntityTooLarge, "invalidValue", "Limits.MaxResourceBytes", `"addresses"`)
			refused = true
			break
		}
		if !refused {
			t.Fatal("80 addresses of 1 KB were all stored")
		}
		if n := do(t, h, "GET", "/Users/"+id, "").Body.Len(); n > 64<<10+2048 || n < 60<<10 {
			t.Errorf("the user is %d bytes; want it just under 64 KiB", n)
		}
	}
	// Three users near MaxResourceBytes in a budget of 150 KiB: a page
	// holds two, counted by their real bytes.
	h2, _ := rfcLimitsHandler(t, scim.Limits{MaxResponseBytes: 150 << 10})
	for u := range 3 {
		var list []string
		for i := range 60 {
			list = append(list, fmt.Sprintf(`{"formatted":"%d %s"}`, i, address))
		}
		if rec := do(t, h2, "POST", "/Users", rfcUser(fmt.Sprintf("u%d", u), `,"addresses":[`+strings.Join(list, ",")+`]`)); rec.Code != http.StatusCreated {
			t.Fatalf("%d %.300s", rec.Code, rec.Body)
		}
	}
	rec := do(t, h2, "GET", "/Users", "")
	if l := decodeList(t, rec); l.ItemsPerPage != 2 || rec.Body.Len() > 150<<10 {
		t.Errorf("a page of %d users in %d bytes; want 2 within 150 KiB", l.ItemsPerPage, rec.Body.Len())
	}
}

// A user stored before the limits it breaches (before an upgrade that
// brought them, or with looser limits) can still be deactivated and
// changed, as long as the change is within the limits and does not grow
// it: Okta's and Entra's deprovisioning must never fail on old data.
func TestLimitsUserStoredOverLimits(t *testing.T) {
	st := memstore.New()
	loose, err := scim.NewHandler(st, scim.Config{Authenticator: scim.SkipAuthentication, Profile: scim.ProfileRFC, Limits: scim.Limits{MaxValues: 2000, MaxResourceBytes: 1 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	strict, err := scim.NewHandler(st, scim.Config{Authenticator: scim.SkipAuthentication, Profile: scim.ProfileRFC})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := decodeAny(t, do(t, loose, "POST", "/Users", rfcUser("ann", `,"phoneNumbers":`+phones(0, 1500))).Body.Bytes())["id"].(string)
	for _, tt := range []struct {
		op     string
		status int
	}{
		{`{"op":"replace","path":"active","value":false}`, http.StatusOK},
		{`{"op":"replace","value":{"active":true,"userName":"bob"}}`, http.StatusOK},
		{`{"op":"add","path":"title","value":"Ops"}`, http.StatusRequestEntityTooLarge}, // it would grow
		{`{"op":"replace","path":"title","value":"` + strings.Repeat("t", 2000) + `"}`, http.StatusBadRequest},
		{`{"op":"add","path":"phoneNumbers","value":[{"value":"+1 555 9999999"}]}`, http.StatusBadRequest},
		{`{"op":"remove","path":"phoneNumbers[value ew \"1\"]"}`, http.StatusOK},
	} {
		if rec := do(t, strict, "PATCH", "/Users/"+id, patchBody(tt.op)); rec.Code != tt.status {
			t.Errorf("%.80s: %d, want %d: %.300s", tt.op, rec.Code, tt.status, rec.Body)
		}
	}
}

// Filtered keys of a PATCH value without a path ("phoneNumbers[…].display",
// as Entra ID writes paths into values) count toward the elements a
// PATCH's filters may test, as filtered paths do.
func TestLimitsFilterVisitsWithoutPath(t *testing.T) {
	h, _ := rfcLimitsHandler(t, scim.Limits{})
	id, _ := decodeAny(t, do(t, h, "POST", "/Users", rfcUser("ann", `,"phoneNumbers":`+phones(0, 1000))).Body.Bytes())["id"].(string)
	ops := make([]string, 600)
	for i := range ops {
		ops[i] = fmt.Sprintf(`{"op":"replace","value":{"phoneNumbers[value co \"55\"].display":"d%d"}}`, i)
	}
	wantDetail(t, do(t, h, "PATCH", "/Users/"+id, patchBody(ops...)), http.StatusRequestEntityTooLarge, "", "Limits.MaxOperations")
}

// The 413 of a resource over MaxResourceBytes names its largest attribute,
// the one to trim.
func TestLimitsTooLargeNamesLargestAttribute(t *testing.T) {
	h, _ := rfcLimitsHandler(t, scim.Limits{})
	var list []string
	for i := range 61 {
		list = append(list, fmt.Sprintf(`{"formatted":"%d %s"}`, i, strings.Repeat("a", 1000)))
	}
	id, _ := decodeAny(t, do(t, h, "POST", "/Users", rfcUser("ann", `,"addresses":[`+strings.Join(list, ",")+`]`)).Body.Bytes())["id"].(string)
	long := strings.Repeat("n", 1000)
	rec := do(t, h, "PATCH", "/Users/"+id, patchBody(`{"op":"replace","value":{"title":"`+long+`","nickName":"`+long+`","locale":"`+long+`","profileUrl":"`+long+`"}}`))
	wantDetail(t, rec, http.StatusRequestEntityTooLarge, "invalidValue", `largest attribute is "addresses"`, "Limits.MaxResourceBytes")
}
