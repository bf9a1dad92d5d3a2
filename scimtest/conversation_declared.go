package scimtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DeclaredConversations returns a conversation for every resource type
// the target's /ResourceTypes lists beyond User and Group: the types a
// host declares (scim.Config.ResourceTypes, such as the demo's /Agents).
// Each is built from the type's schema as /Schemas serves it, so it needs
// no knowledge of the type: it creates a resource with its required
// attributes filled with valid values of their types (unique values unique
// per run), reads it back, finds it with a filter (eq on a required string
// attribute, or on id), changes one writable string attribute with a PATCH
// replace, and deletes it, deleting what it created even when a step
// fails. Their IdP is "declared" and their Name the type's name.
//
// It returns an error when /ResourceTypes or /Schemas cannot be read.
func DeclaredConversations(ctx context.Context, t Target) ([]Conversation, error) {
	s := &session{ctx: ctx, t: t, r: discard{}, check: "declared/discovery", fails: map[string]int{}}
	if err := s.setUp(); err != nil {
		return nil, err
	}
	types, err := loadTypes(s.getJSON)
	if err != nil {
		return nil, err
	}
	var out []Conversation
	for _, rt := range types {
		if strings.EqualFold(rt.Schema, userURN) || strings.EqualFold(rt.Schema, groupURN) {
			continue
		}
		out = append(out, Conversation{
			IdP:  "declared",
			Name: rt.Name,
			Enforces: fmt.Sprintf("RFC 7644 on the declared resource type %s (%s), from its /Schemas: POST with its required attributes → 201 with id, schemas and meta.resourceType (§3.3); GET → the same (§3.4.1); a filter eq on a required string attribute, or on id → exactly it (§3.4.2.2); PATCH replace of a writable string attribute → the new value, read back (§3.5.2.3); DELETE → 204, then GET → 404 (§3.6)",
				rt.Name, rt.Endpoint),
			run: func(s *session) { runDeclared(s, rt) },
		})
	}
	return out, nil
}

const (
	userURN  = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupURN = "urn:ietf:params:scim:schemas:core:2.0:Group"
)

// getJSON GETs path under the base URL and decodes a 200's body into v.
func (s *session) getJSON(path string, v any) error {
	req, err := http.NewRequest(http.MethodGet, s.base.String()+path, nil)
	if err != nil {
		return err
	}
	if s.t.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.t.Token)
	}
	resp, done, err := s.roundTrip(s.ctx, req)
	if err != nil {
		return fmt.Errorf("GET %s: %v", s.base.Path+path, err)
	}
	defer done()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return fmt.Errorf("GET %s: %v", s.base.Path+path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s answered %d: %s", s.base.Path+path, resp.StatusCode, clip(string(body)))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %v", s.base.Path+path, err)
	}
	return nil
}

// sendJSON sends method to path under the base URL with body (none when
// nil) as SCIM JSON, checking what every response must satisfy.
func (s *session) sendJSON(step, method, path string, body any) *response {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.failf(step, "scimtest: %v", err)
			return nil
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base.String()+path, rd)
	if err != nil {
		s.failf(step, "scimtest: %v", err)
		return nil
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	req.Header.Set("Accept", "application/scim+json")
	return s.send(step, req)
}

// wantStatus reports a response whose status is none of want.
func (s *session) wantStatus(step string, resp *response, want ...int) bool {
	if resp == nil {
		return false
	}
	for _, w := range want {
		if resp.status == w {
			return true
		}
	}
	ws := make([]string, len(want))
	for i, w := range want {
		ws[i] = fmt.Sprint(w)
	}
	s.failResp(step, resp, "status: want %s, got %d", strings.Join(ws, " or "), resp.status)
	return false
}

// declaredValue is a valid value of the simple attribute a for a run
// with the given suffix: strings carry the suffix, so that unique ones
// are unique per run.
func declaredValue(a *limitAttr, suffix string, n int) any {
	switch a.Type {
	case "boolean":
		return true
	case "integer":
		var v int64
		for _, c := range suffix {
			v = v*16 + int64(strings.IndexRune("0123456789abcdef", c))
		}
		return v%1_000_000_000 + int64(n)
	case "decimal":
		return 1.5
	case "dateTime":
		return time.Now().UTC().Truncate(time.Second).Format(time.RFC3339)
	case "binary":
		return base64.StdEncoding.EncodeToString([]byte("scimcheck " + suffix))
	case "reference":
		return "https://example.com/scimcheck/" + suffix
	}
	if len(a.CanonicalValues) > 0 {
		return a.CanonicalValues[n%len(a.CanonicalValues)]
	}
	return fmt.Sprintf("scimcheck-%s-%s", strings.ToLower(a.Name), suffix)
}

// declaredBody is a valid resource of rt with its required attributes, as
// sent, and the simple single-valued values it holds by path.
func declaredBody(rt *limitType, suffix string) (map[string]any, map[*limitAttr]any) {
	m := map[string]any{}
	simple := map[*limitAttr]any{}
	schemas := []string{rt.Schema}
	for _, a := range rt.attrs {
		if !a.Required {
			continue
		}
		var v any
		if a.Type == "complex" {
			el := map[string]any{}
			for i := range a.SubAttributes {
				sub := &a.SubAttributes[i]
				if writable(sub) && (sub.Required || sub == keySub(a)) {
					el[sub.Name] = declaredValue(sub, suffix, i)
				}
			}
			v = el
		} else {
			v = declaredValue(a, suffix, 0)
			if !a.MultiValued {
				simple[a] = v
			}
		}
		if a.MultiValued {
			v = []any{v}
		}
		put(m, a, v)
		if a.URN != "" && !strings.EqualFold(a.URN, rt.Schema) && !containsFold(schemas, a.URN) {
			schemas = append(schemas, a.URN)
		}
	}
	m["schemas"] = schemas
	return m, simple
}

func containsFold(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// valueIn is the value of a in the resource r as served: under its URN
// for an extension's attribute.
func valueIn(r any, a *limitAttr) (any, bool) {
	if a.URN == "" {
		o, _ := r.(map[string]any)
		if o == nil {
			return nil, false
		}
		return member(o, a.Name)
	}
	o, _ := r.(map[string]any)
	ext, _ := member(o, a.URN)
	eo, _ := ext.(map[string]any)
	if eo == nil {
		return nil, false
	}
	return member(eo, a.Name)
}

// sameSimple reports whether got, as served, is the simple value sent:
// numbers by value, dateTimes by instant.
func sameSimple(a *limitAttr, sent, got any) bool {
	switch a.Type {
	case "dateTime":
		gs, _ := got.(string)
		gt, err1 := time.Parse(time.RFC3339, gs)
		st, err2 := time.Parse(time.RFC3339, sent.(string))
		return err1 == nil && err2 == nil && gt.Equal(st)
	case "integer", "decimal":
		return fmt.Sprint(got) == fmt.Sprint(sent)
	}
	return got == sent
}

// checkServed reports a resource as served that is not the one created:
// another id, another type, or a simple value sent that it does not hold.
func (s *session) checkServed(step string, resp *response, rt *limitType, id string, simple map[*limitAttr]any) {
	if got, ok := stringAt(resp.json, "id"); id != "" && (!ok || got != id) {
		s.failResp(step, resp, "id: want %q, got %q", id, got)
	}
	if !containsFold(stringsAt(resp.json, "schemas"), rt.Schema) {
		s.failResp(step, resp, "schemas: want it to list %q (RFC 7643 §3)", rt.Schema)
	}
	if got := stringOr(resp.json, "meta.resourceType"); got != rt.Name {
		s.failResp(step, resp, "meta.resourceType: want %q, got %q (RFC 7643 §3.1)", rt.Name, got)
	}
	for a, sent := range simple {
		got, ok := valueIn(resp.json, a)
		if !ok || !sameSimple(a, sent, got) {
			s.failResp(step, resp, "%s: want %v as sent, got %v", a.path(""), sent, got)
		}
	}
}

func stringsAt(v any, path string) []string {
	var out []string
	for _, x := range arrayAt(v, path) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// filterAttr is the attribute the conversation finds its resource by: the
// first required single-valued string without canonical values, or nil
// for id.
func filterAttr(rt *limitType, simple map[*limitAttr]any) *limitAttr {
	for _, a := range rt.attrs {
		if _, ok := simple[a]; ok && a.Type == "string" && len(a.CanonicalValues) == 0 {
			return a
		}
	}
	return nil
}

// patchAttr is the attribute the conversation changes by PATCH, and the
// value it sets: a single-valued readWrite string, free text before
// canonical values.
func patchAttr(rt *limitType, suffix string) (*limitAttr, string) {
	// The type's own optional attributes first, which nothing else
	// relies on; then its required or unique ones (the value set is unique
	// to the run); externalId, every resource's (RFC 7643 §3.1), last.
	rank := func(a *limitAttr) int {
		switch {
		case a.URN == "" && a.Name == "externalId":
			return 2
		case a.Required || a.Uniqueness == "server" || a.Uniqueness == "global":
			return 1
		}
		return 0
	}
	for want := range 3 {
		for _, a := range rt.attrs {
			if rank(a) == want && a.Type == "string" && !a.MultiValued && a.Mutability == "readWrite" && len(a.CanonicalValues) == 0 {
				return a, "scimcheck-patched-" + suffix
			}
		}
	}
	for _, a := range rt.attrs {
		if a.Type == "string" && !a.MultiValued && a.Mutability == "readWrite" && len(a.CanonicalValues) > 1 {
			return a, a.CanonicalValues[1]
		}
	}
	return nil, ""
}

func runDeclared(s *session, rt *limitType) {
	step := func(name string) string { return "declared/" + rt.Name + "-" + name }
	suffix := randomHex(12)
	body, simple := declaredBody(rt, suffix)

	resp := s.sendJSON(step("create"), http.MethodPost, rt.Endpoint, body)
	if resp == nil {
		return
	}
	id, _ := stringAt(resp.json, "id")
	deleted := false
	defer func() {
		if !deleted {
			s.deleteDeclared(rt, id, simple)
		}
	}()
	if !s.wantStatus(step("create"), resp, http.StatusCreated) {
		return
	}
	if id == "" {
		s.failResp(step("create"), resp, "id: want a non-empty string (RFC 7643 §3.1)")
		return
	}
	s.checkServed(step("create"), resp, rt, id, simple)
	location := rt.Endpoint + "/" + url.PathEscape(id)

	if resp := s.sendJSON(step("get"), http.MethodGet, location, nil); s.wantStatus(step("get"), resp, http.StatusOK) {
		s.checkServed(step("get"), resp, rt, id, simple)
	}

	f := fmt.Sprintf("id eq %q", id)
	if a := filterAttr(rt, simple); a != nil {
		q, _ := json.Marshal(simple[a])
		f = a.path("") + " eq " + string(q)
	}
	if resp := s.sendJSON(step("filter"), http.MethodGet, rt.Endpoint+"?filter="+url.QueryEscape(f), nil); s.wantStatus(step("filter"), resp, http.StatusOK) {
		total, _ := at(resp.json, "totalResults")
		list := arrayAt(resp.json, "Resources")
		if fmt.Sprint(total) != "1" || len(list) != 1 || stringOr(list[0], "id") != id {
			s.failResp(step("filter"), resp, "filter %s: want totalResults 1 and the resource %q alone", f, id)
		}
	}

	if a, v := patchAttr(rt, suffix); a == nil {
		s.logf("%s has no single-valued readWrite string attribute: PATCH not checked", rt.Name)
	} else {
		patch := patchOps(map[string]any{"op": "replace", "path": a.path(""), "value": v})
		resp := s.sendJSON(step("patch"), http.MethodPatch, location, patch)
		if s.wantStatus(step("patch"), resp, http.StatusOK, http.StatusNoContent) {
			if resp.status == http.StatusOK {
				if got, _ := valueIn(resp.json, a); got != v {
					s.failResp(step("patch"), resp, "%s: want %q after the PATCH, got %v", a.path(""), v, got)
				}
			}
			if resp := s.sendJSON(step("patch-read"), http.MethodGet, location, nil); s.wantStatus(step("patch-read"), resp, http.StatusOK) {
				if got, _ := valueIn(resp.json, a); got != v {
					s.failResp(step("patch-read"), resp, "%s: want %q, set by the PATCH, got %v", a.path(""), v, got)
				}
			}
		}
	}

	resp = s.sendJSON(step("delete"), http.MethodDelete, location, nil)
	if s.wantStatus(step("delete"), resp, http.StatusNoContent) {
		deleted = true
		resp := s.sendJSON(step("deleted-get"), http.MethodGet, location, nil)
		s.wantStatus(step("deleted-get"), resp, http.StatusNotFound)
	}
}

// deleteDeclared deletes the resource a conversation created, found by a
// required string value when the create gave no id, and notes what went
// wrong rather than failing: clean-up is not a check.
func (s *session) deleteDeclared(rt *limitType, id string, simple map[*limitAttr]any) {
	if id == "" {
		a := filterAttr(rt, simple)
		if a == nil {
			return
		}
		if id = s.findID(rt.Endpoint, a.path(""), simple[a].(string)); id == "" {
			return // never created, or not findable
		}
	}
	req, err := http.NewRequest(http.MethodDelete, s.base.String()+rt.Endpoint+"/"+url.PathEscape(id), nil)
	if err != nil {
		s.logf("could not clean up %s %s: %v", rt.Name, id, err)
		return
	}
	if s.t.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.t.Token)
	}
	resp, done, err := s.roundTrip(context.WithoutCancel(s.ctx), req)
	if err != nil {
		s.logf("could not clean up %s %s: %v", rt.Name, id, err)
		return
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	done()
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusNotFound {
		s.logf("could not clean up %s %s: DELETE answered %d", rt.Name, id, resp.StatusCode)
	}
}
