package scimtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
)

// LimitsOptions configures TestLimits.
type LimitsOptions struct {
	// Token is sent as the bearer token; empty for a handler without
	// authentication.
	Token string
	// BasePath is the path the handler serves SCIM under, e.g.
	// "/scim/v2"; empty when it serves the root.
	BasePath string
	// Limits are the handler's Config.Limits; a zero field means the
	// default scim.Limits documents.
	Limits scim.Limits
	// MaxBodyBytes is the handler's Config.MaxBodyBytes; zero means the
	// default, 1 MiB. Attacks are sized to fit in it.
	MaxBodyBytes int
}

// TestLimits attacks every attribute that the handler's /Schemas
// advertises for each resource type /ResourceTypes lists, as a client with
// a valid token could: a string one byte over its limit, a NUL, a
// multi-valued attribute one value over Limits.MaxValues, and a resource
// over Limits.MaxResourceBytes. Each is sent by POST, by PUT and by every
// PATCH shape that can carry it (a path, no path, a value filter), and
// each must be refused with a 4xx SCIM error whose detail names the
// attribute (or MaxResourceBytes), with nothing written: the resource the
// PUT and PATCHes aimed at reads back as it was, and no POST created
// anything. The cases are derived from /Schemas, so an attribute a host
// adds is attacked without a change here.
//
// Group members are ids of other resources that the handler resolves
// (and caps per request with Config.MaxMembersPerRequest): only their
// length and NUL are attacked.
func TestLimits(t *testing.T, h http.Handler, opts LimitsOptions) {
	t.Helper()
	lk := &limitsKit{h: h, opts: opts}
	lk.defaults()
	types, err := lk.resourceTypes()
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range types {
		t.Run(rt.Name, func(t *testing.T) {
			base := lk.create(t, rt)
			if lk.member == "" {
				lk.member = base.id
			}
			for _, a := range rt.attrs {
				t.Run(a.path(""), func(t *testing.T) { lk.attackAttribute(t, rt, base, a) })
			}
			t.Run("MaxResourceBytes", func(t *testing.T) { lk.attackSize(t, rt, base) })
		})
	}
}

type limitsKit struct {
	h    http.Handler
	opts LimitsOptions
	seq  int
	// member is the id of a resource created first (a user), for the
	// members of the types created after it.
	member string
}

// The defaults of scim.Limits and Config.MaxBodyBytes.
func (lk *limitsKit) defaults() {
	l := &lk.opts.Limits
	for _, f := range []struct {
		v   *int
		def int
	}{{&l.MaxUserNameLength, 256}, {&l.MaxEmailLength, 254}, {&l.MaxStringLength, 1024}, {&l.MaxValues, 1000}, {&l.MaxResponseBytes, 8 << 20}} {
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if l.MaxResourceBytes == 0 {
		l.MaxResourceBytes = min(64<<10, l.MaxResponseBytes)
	}
	if lk.opts.MaxBodyBytes == 0 {
		lk.opts.MaxBodyBytes = 1 << 20
	}
}

// limitAttr is an attribute as /Schemas describes it.
type limitAttr struct {
	URN             string      `json:"-"`
	Name            string      `json:"name"`
	Type            string      `json:"type"`
	MultiValued     bool        `json:"multiValued"`
	Required        bool        `json:"required"`
	Mutability      string      `json:"mutability"`
	Uniqueness      string      `json:"uniqueness"`
	CaseExact       bool        `json:"caseExact"`
	CanonicalValues []string    `json:"canonicalValues"`
	SubAttributes   []limitAttr `json:"subAttributes"`
}

// path is the attribute's path in a PATCH, with sub appended.
func (a *limitAttr) path(sub string) string {
	p := a.Name
	if a.URN != "" {
		p = a.URN + ":" + p
	}
	if sub != "" {
		p += "." + sub
	}
	return p
}

func writable(a *limitAttr) bool {
	return a.Mutability != "readOnly" && a.Mutability != "writeOnly"
}

func stringy(a *limitAttr) bool {
	return a.Type == "string" || a.Type == "reference" || a.Type == "binary"
}

// limitType is a resource type with its writable attributes.
type limitType struct {
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	Schema   string `json:"schema"`
	Exts     []struct {
		Schema string `json:"schema"`
	} `json:"schemaExtensions"`
	attrs []*limitAttr
	urns  []string // the core schema, then the extensions
}

func (lk *limitsKit) resourceTypes() ([]*limitType, error) {
	return loadTypes(lk.getJSON)
}

// loadTypes reads /ResourceTypes and /Schemas with get and returns every
// resource type with its writable attributes, core schema first.
func loadTypes(get func(path string, v any) error) ([]*limitType, error) {
	var schemas struct {
		Resources []struct {
			ID         string      `json:"id"`
			Attributes []limitAttr `json:"attributes"`
		}
	}
	var types struct {
		Resources []*limitType
	}
	if err := get("/Schemas", &schemas); err != nil {
		return nil, err
	}
	if err := get("/ResourceTypes", &types); err != nil {
		return nil, err
	}
	byID := map[string][]limitAttr{}
	for _, s := range schemas.Resources {
		byID[strings.ToLower(s.ID)] = s.Attributes
	}
	for _, rt := range types.Resources {
		rt.Endpoint = "/" + strings.Trim(rt.Endpoint, "/")
		rt.urns = []string{rt.Schema}
		for _, e := range rt.Exts {
			rt.urns = append(rt.urns, e.Schema)
		}
		for i, urn := range rt.urns {
			attrs, ok := byID[strings.ToLower(urn)]
			if !ok {
				return nil, fmt.Errorf("/ResourceTypes lists schema %q for %s, which /Schemas does not serve", urn, rt.Name)
			}
			for j := range attrs {
				a := &attrs[j]
				if !writable(a) {
					continue
				}
				if i > 0 {
					a.URN = urn
				}
				rt.attrs = append(rt.attrs, a)
			}
		}
	}
	return types.Resources, nil
}

// value is a valid value of a (a sub-attribute or a simple attribute), the
// n-th of its kind.
func (lk *limitsKit) value(a *limitAttr, n int) any {
	switch a.Type {
	case "boolean":
		return n%2 == 0
	case "integer":
		return n
	case "decimal":
		return float64(n) + 0.5
	case "dateTime":
		return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Second).Format(time.RFC3339)
	case "binary":
		return "QUJD"
	}
	if len(a.CanonicalValues) > 0 {
		return a.CanonicalValues[0]
	}
	return fmt.Sprintf("lim%d@example.com", n)
}

// keySub is the sub-attribute that tells a complex attribute's elements
// apart: the first writable string one without canonical values.
func keySub(a *limitAttr) *limitAttr {
	for i := range a.SubAttributes {
		s := &a.SubAttributes[i]
		if writable(s) && s.Type == "string" && len(s.CanonicalValues) == 0 {
			return s
		}
	}
	return nil
}

// element is a valid element or value of a with key value n; typed gives
// it the first canonical type (an element added beside others has none,
// since types such as "work" are unique in some profiles).
func (lk *limitsKit) element(a *limitAttr, n int, typed bool) any {
	if a.Type != "complex" {
		return lk.value(a, n)
	}
	m := map[string]any{}
	for i := range a.SubAttributes {
		s := &a.SubAttributes[i]
		if s.Required || s == keySub(a) {
			m[s.Name] = lk.value(s, n)
		}
	}
	if isMembers(a) {
		m["value"] = lk.member // an id that resolves
	}
	if t := subNamed(a, "type"); t != nil && len(t.CanonicalValues) > 0 && typed {
		m["type"] = t.CanonicalValues[0]
	}
	if s := subNamed(a, "givenName"); s != nil {
		m["familyName"], m["givenName"] = "Family", "Given"
	}
	return m
}

func isMembers(a *limitAttr) bool { return a.URN == "" && a.Name == "members" }

func subNamed(a *limitAttr, name string) *limitAttr {
	for i := range a.SubAttributes {
		if a.SubAttributes[i].Name == name && writable(&a.SubAttributes[i]) {
			return &a.SubAttributes[i]
		}
	}
	return nil
}

// body is a valid resource of rt: its required attributes and one element
// of each multi-valued complex attribute (the target of value filters),
// with set applied over them.
func (lk *limitsKit) body(rt *limitType, set func(m map[string]any)) map[string]any {
	lk.seq++
	m := map[string]any{"schemas": rt.urns}
	for _, a := range rt.attrs {
		if isMembers(a) {
			continue
		}
		if a.Required || a.MultiValued && a.Type == "complex" {
			v := lk.element(a, lk.seq, true)
			if a.MultiValued {
				v = []any{v}
			}
			put(m, a, v)
		}
	}
	if set != nil {
		set(m)
	}
	return m
}

// put sets attribute a of the resource m to v.
func put(m map[string]any, a *limitAttr, v any) {
	if a.URN == "" {
		m[a.Name] = v
		return
	}
	ext, _ := m[a.URN].(map[string]any)
	if ext == nil {
		ext = map[string]any{}
		m[a.URN] = ext
	}
	ext[a.Name] = v
}

// limitBase is the resource the PUTs and PATCHes aim at.
type limitBase struct {
	id       string
	location string
	body     map[string]any // as created
	json     string         // as read back
}

func (lk *limitsKit) create(t *testing.T, rt *limitType) *limitBase {
	t.Helper()
	body := lk.body(rt, nil)
	rec := lk.do("POST", rt.Endpoint, body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST %s of a valid resource: %d %s", rt.Endpoint, rec.Code, rec.Body)
	}
	var got struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.ID == "" {
		t.Fatalf("POST %s: no id in %s", rt.Endpoint, rec.Body)
	}
	b := &limitBase{id: got.ID, location: rt.Endpoint + "/" + got.ID, body: body}
	b.json = lk.read(t, b)
	return b
}

func (lk *limitsKit) read(t *testing.T, b *limitBase) string {
	t.Helper()
	rec := lk.do("GET", b.location, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", b.location, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func (lk *limitsKit) count(t *testing.T, rt *limitType) int {
	t.Helper()
	var l struct {
		TotalResults int `json:"totalResults"`
	}
	if err := lk.getJSON(rt.Endpoint+"?count=0", &l); err != nil {
		t.Fatal(err)
	}
	return l.TotalResults
}

// attack is one request that must be refused.
type attack struct {
	what   string // for messages
	method string
	body   any
	names  []string // what the error's detail must name
	// small allows a 2xx whose resource is within MaxResourceBytes (and
	// 2 KiB for id, meta and names): a handler may drop what it does not
	// keep (the strict profile keeps one email of many).
	small bool
}

// attackAttribute sends every attack on the attribute a.
func (lk *limitsKit) attackAttribute(t *testing.T, rt *limitType, base *limitBase, a *limitAttr) {
	l := &lk.opts.Limits
	members := isMembers(a)
	leafs := []*limitAttr{a}
	if a.Type == "complex" {
		leafs = nil
		for i := range a.SubAttributes {
			if s := &a.SubAttributes[i]; writable(s) && stringy(s) {
				leafs = append(leafs, s)
			}
		}
	}
	for _, leaf := range leafs {
		if !stringy(leaf) {
			continue
		}
		max := l.MaxStringLength
		switch {
		case a.URN == "" && a.Name == "userName":
			max = l.MaxUserNameLength
		case a.URN == "" && a.Name == "emails" && leaf.Name == "value":
			max = l.MaxEmailLength
		}
		long := strings.Repeat("a", max+1-len("@example.com")) + "@example.com"
		nul := "a\u0000b@example.com"
		sub := ""
		if leaf != a {
			sub = leaf.Name
		}
		for _, bad := range []struct{ what, v string }{{fmt.Sprintf("a value of %d bytes", max+1), long}, {"a NUL", nul}} {
			names := []string{a.Name}
			if sub != "" {
				names = append(names, sub)
			}
			lk.refused(t, rt, base, lk.shapes(rt, base, a, sub, bad.what, bad.v, names))
		}
	}
	if a.MultiValued && !members {
		n := l.MaxValues + 1
		if a.Type == "boolean" {
			return // two distinct values at most
		}
		if a.Type == "complex" && keySub(a) == nil {
			t.Logf("%s: no sub-attribute tells elements apart; the count is not attacked", a.Name)
			return
		}
		list := make([]any, n)
		for i := range list {
			list[i] = lk.element(a, 1_000_000+i, false)
		}
		what := fmt.Sprintf("%d values", n)
		names := []string{a.Name, "MaxValues"}
		var attacks []attack
		attacks = append(attacks, lk.whole(rt, a, what, list, names)...)
		attacks = append(attacks,
			attack{what + " added by path", "PATCH", patchOps(map[string]any{"op": "add", "path": a.path(""), "value": list}), names, false},
			attack{what + " added without a path", "PATCH", patchOps(map[string]any{"op": "add", "value": nested(a, list)}), names, false},
		)
		lk.refused(t, rt, base, attacks)
	}
}

// shapes are the requests that set sub of a (the attribute itself when
// sub is "") to the bad value v.
func (lk *limitsKit) shapes(rt *limitType, base *limitBase, a *limitAttr, sub, what, v string, names []string) []attack {
	var val any = v
	if sub != "" {
		val = map[string]any{sub: v}
		if a.MultiValued {
			el := lk.element(a, 2_000_000, false).(map[string]any)
			el[sub] = v
			val = el
		}
	}
	if a.MultiValued {
		val = []any{val}
	}
	attacks := lk.whole(rt, a, what, val, names)
	attacks = append(attacks, attack{what + ", no path", "PATCH", patchOps(map[string]any{"op": "replace", "value": nested(a, val)}), names, false})
	switch {
	case sub == "" || !a.MultiValued:
		attacks = append(attacks, attack{what + ", by path", "PATCH", patchOps(map[string]any{"op": "replace", "path": a.path(sub), "value": v}), names, false})
		if a.MultiValued {
			attacks = append(attacks, attack{what + ", added by path", "PATCH", patchOps(map[string]any{"op": "add", "path": a.path(sub), "value": []any{v}}), names, false})
		}
	default:
		attacks = append(attacks, attack{what + ", an element added by path", "PATCH", patchOps(map[string]any{"op": "add", "path": a.path(""), "value": val}), names, false})
		if f := lk.elementFilter(base, a); f != "" {
			attacks = append(attacks, attack{what + ", by value filter", "PATCH", patchOps(map[string]any{"op": "replace", "path": f + "." + sub, "value": v}), names, false})
		}
	}
	return attacks
}

// elementFilter selects the element of a that the base resource holds.
func (lk *limitsKit) elementFilter(base *limitBase, a *limitAttr) string {
	m := base.body
	if a.URN != "" {
		m, _ = m[a.URN].(map[string]any)
	}
	list, _ := m[a.Name].([]any)
	if len(list) == 0 {
		return ""
	}
	el, _ := list[0].(map[string]any)
	k := keySub(a)
	if k == nil {
		return ""
	}
	s, _ := el[k.Name].(string)
	q, _ := json.Marshal(s)
	return fmt.Sprintf("%s[%s eq %s]", a.path(""), k.Name, q)
}

// whole are the POST and PUT of a resource whose attribute a is v.
func (lk *limitsKit) whole(rt *limitType, a *limitAttr, what string, v any, names []string) []attack {
	set := func(m map[string]any) { put(m, a, v) }
	return []attack{
		{what + ", by POST", "POST", lk.body(rt, set), names, false},
		{what + ", by PUT", "PUT", lk.body(rt, set), names, false},
	}
}

// nested is v as the value of a PATCH without a path: {"a": v}, or the
// extension's object around it.
func nested(a *limitAttr, v any) map[string]any {
	m := map[string]any{}
	put(m, a, v)
	return m
}

func patchOps(ops ...map[string]any) map[string]any {
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": ops}
}

// attackSize sends resources over MaxResourceBytes, each value within its
// own limit: every multi-valued attribute of strings filled with values
// as long as they may be.
func (lk *limitsKit) attackSize(t *testing.T, rt *limitType, base *limitBase) {
	l := &lk.opts.Limits
	budget := lk.opts.MaxBodyBytes * 3 / 4
	var fill []func(m map[string]any)
	var ops []map[string]any
	total := 0
	for _, a := range rt.attrs {
		if !a.MultiValued || isMembers(a) {
			continue
		}
		leaf := a
		if a.Type == "complex" {
			if leaf = keySub(a); leaf == nil {
				continue
			}
		}
		if !stringy(leaf) {
			continue
		}
		size := l.MaxStringLength
		if a.URN == "" && a.Name == "emails" {
			size = l.MaxEmailLength
		}
		// The base resource holds one element already.
		n := min(l.MaxValues-1, (budget-total)/(size+32), l.MaxResourceBytes/size+2)
		if n <= 0 {
			continue
		}
		list := make([]any, n)
		for i := range list {
			s := fmt.Sprintf("%d-", i)
			s += strings.Repeat("b", size-len(s)-len("@example.com")) + "@example.com"
			if a.Type == "complex" {
				el := lk.element(a, 3_000_000+i, false).(map[string]any)
				el[leaf.Name] = s
				list[i] = el
			} else {
				list[i] = s
			}
		}
		total += n * size
		a := a
		fill = append(fill, func(m map[string]any) { put(m, a, list) })
		ops = append(ops, map[string]any{"op": "add", "path": a.path(""), "value": list})
	}
	if total <= l.MaxResourceBytes {
		// Each attribute filled holds over MaxResourceBytes alone.
		t.Skipf("the schema's multi-valued attributes cannot hold more than %d bytes of values within %d bytes of body; MaxResourceBytes is %d", total, budget, l.MaxResourceBytes)
	}
	set := func(m map[string]any) {
		for _, f := range fill {
			f(m)
		}
	}
	names := []string{"MaxResourceBytes"}
	pathless := map[string]any{}
	set(pathless)
	lk.refused(t, rt, base, []attack{
		{"values over MaxResourceBytes by POST", "POST", lk.body(rt, set), names, true},
		{"values over MaxResourceBytes by PUT", "PUT", lk.body(rt, set), names, true},
		{"values over MaxResourceBytes added by path", "PATCH", patchOps(ops...), names, true},
		{"values over MaxResourceBytes added without a path", "PATCH", patchOps(map[string]any{"op": "add", "value": pathless}), names, true},
	})
}

// refused sends each attack and checks that it was refused and wrote
// nothing.
func (lk *limitsKit) refused(t *testing.T, rt *limitType, base *limitBase, attacks []attack) {
	t.Helper()
	for _, at := range attacks {
		before := 0
		target := base.location
		if at.method == "POST" {
			target = rt.Endpoint
			before = lk.count(t, rt)
		}
		rec := lk.do(at.method, target, at.body)
		if at.small && rec.Code < 300 {
			got := rec.Body.String()
			if at.method != "POST" {
				got = lk.read(t, base)
				base.json = got
			}
			if max := lk.opts.Limits.MaxResourceBytes + 2048; len(got) > max {
				t.Errorf("%s %s with %s: status %d and the resource is %d bytes, over MaxResourceBytes", at.method, target, at.what, rec.Code, len(got))
			}
			continue
		}
		if rec.Code < 400 || rec.Code >= 500 {
			t.Errorf("%s %s with %s: status %d, want a 4xx SCIM error naming %q; body %.300s", at.method, target, at.what, rec.Code, at.names, rec.Body)
		} else {
			var e struct {
				Detail string `json:"detail"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Errorf("%s %s with %s: the %d is not a SCIM error: %.300s", at.method, target, at.what, rec.Code, rec.Body)
			}
			for _, n := range at.names {
				if !strings.Contains(strings.ToLower(e.Detail), strings.ToLower(n)) {
					t.Errorf("%s %s with %s: the error does not name %q: %s", at.method, target, at.what, n, e.Detail)
				}
			}
			if rec.Body.Len() > 4096 {
				t.Errorf("%s %s with %s: a %d-byte error echoes the value", at.method, target, at.what, rec.Body.Len())
			}
		}
		if at.method == "POST" {
			if after := lk.count(t, rt); after != before {
				t.Errorf("POST %s with %s: %d resources before, %d after: it was stored", target, at.what, before, after)
			}
		} else if got := lk.read(t, base); got != base.json {
			t.Errorf("%s %s with %s changed the resource:\nbefore %.500s\nafter  %.500s", at.method, target, at.what, base.json, got)
			base.json = got
		}
	}
}

func (lk *limitsKit) do(method, path string, body any) *httptest.ResponseRecorder {
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			panic(err) // the kit's own values
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	r := httptest.NewRequest(method, lk.opts.BasePath+path, rd)
	if body != nil {
		r.Header.Set("Content-Type", "application/scim+json")
	}
	if lk.opts.Token != "" {
		r.Header.Set("Authorization", "Bearer "+lk.opts.Token)
	}
	rec := httptest.NewRecorder()
	lk.h.ServeHTTP(rec, r)
	return rec
}

func (lk *limitsKit) getJSON(path string, v any) error {
	rec := lk.do("GET", path, nil)
	if rec.Code != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		return fmt.Errorf("GET %s: %v", path, err)
	}
	return nil
}
