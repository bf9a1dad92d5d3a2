package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/internal/testtypes"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/schema"
)

func agentHandler(t *testing.T) (*scim.Handler, *memstore.Store) {
	t.Helper()
	st := memstore.New()
	h, err := scim.NewHandler(st, scim.Config{Authenticator: scim.SkipAuthentication, ResourceTypes: []scim.ResourceType{agentType()}})
	if err != nil {
		t.Fatal(err)
	}
	return h, st
}

func decodeMap(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return m
}

func TestDeclaredTypeConversation(t *testing.T) {
	h, _ := agentHandler(t)
	user := decodeMap(t, do(t, h, "POST", "/Users", `{"schemas":["`+scim.UserURN+`"],"userName":"ann@example.com","name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"value":"ann@example.com","type":"work"}]}`).Body.String())
	uid := user["id"].(string)

	rec := do(t, h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"triage-bot","displayName":"Triage","agentType":"assistant","active":true,"owners":[{"value":"`+uid+`","type":"User"}]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	agent := decodeMap(t, rec.Body.String())
	id := agent["id"].(string)
	if got := rec.Header().Get("Location"); !strings.HasSuffix(got, "/Agents/"+id) {
		t.Errorf("Location %q", got)
	}
	meta := agent["meta"].(map[string]any)
	if meta["resourceType"] != "Agent" || !strings.HasSuffix(meta["location"].(string), "/Agents/"+id) {
		t.Errorf("meta %v", meta)
	}
	if s := agent["schemas"].([]any); len(s) != 1 || s[0] != agentURN {
		t.Errorf("schemas %v", s)
	}
	if agent["name"] != "triage-bot" || agent["active"] != true {
		t.Errorf("agent %v", agent)
	}
	if id == uid {
		t.Fatal("an agent has a user's id")
	}

	// Read, filter, project.
	if rec := do(t, h, "GET", "/Agents/"+id, ""); rec.Code != 200 || rec.Header().Get("ETag") == "" {
		t.Fatalf("get: %d %s", rec.Code, rec.Body)
	}
	list := decodeMap(t, do(t, h, "GET", `/Agents?filter=name+eq+"TRIAGE-BOT"&attributes=name`, "").Body.String())
	if list["totalResults"] != 1.0 {
		t.Fatalf("filter: %v", list)
	}
	got := list["Resources"].([]any)[0].(map[string]any)
	if _, ok := got["displayName"]; ok || got["name"] != "triage-bot" {
		t.Errorf("projected %v", got)
	}
	if rec := do(t, h, "POST", "/Agents/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"owners.value eq \"`+uid+`\""}`); !strings.Contains(rec.Body.String(), `"totalResults":1`) {
		t.Errorf(".search: %s", rec.Body)
	}
	// A root search finds users and agents.
	if rec := do(t, h, "POST", "/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"startIndex":2}`); !strings.Contains(rec.Body.String(), `"totalResults":2`) || !strings.Contains(rec.Body.String(), `"triage-bot"`) {
		t.Errorf("root .search: %s", rec.Body)
	}
	if rec := do(t, h, "POST", "/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"agentType eq \"assistant\""}`); !strings.Contains(rec.Body.String(), `"totalResults":1`) {
		t.Errorf("root .search by an agent's attribute: %s", rec.Body)
	}

	// Every PATCH shape.
	for _, body := range []string{
		`{"op":"replace","path":"description","value":"Sorts tickets"}`,
		`{"op":"replace","value":{"active":false,"agentType":"worker"}}`,
		`{"op":"add","path":"owners","value":[{"value":"x-1","type":"Group"}]}`,
		`{"op":"remove","path":"owners[value eq \"x-1\"]"}`,
	} {
		rec := do(t, h, "PATCH", "/Agents/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+body+`]}`)
		if rec.Code != 200 {
			t.Fatalf("PATCH %s: %d %s", body, rec.Code, rec.Body)
		}
	}
	agent = decodeMap(t, do(t, h, "GET", "/Agents/"+id, "").Body.String())
	if agent["description"] != "Sorts tickets" || agent["active"] != false || agent["agentType"] != "worker" || len(agent["owners"].([]any)) != 1 {
		t.Errorf("after PATCH: %v", agent)
	}

	// Errors from the same code as users', worded for agents.
	wantError(t, do(t, h, "GET", "/Agents/nope", ""), 404, "")
	e := wantError(t, do(t, h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"Triage-Bot"}`), 409, scim.ScimTypeUniqueness)
	if !strings.Contains(e.Detail, "agent") || !strings.Contains(e.Detail, `"name"`) {
		t.Errorf("409 detail %q", e.Detail)
	}
	e = wantError(t, do(t, h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"displayName":"x"}`), 400, scim.ScimTypeInvalidValue)
	if !strings.Contains(e.Detail, `"name"`) {
		t.Errorf("required detail %q", e.Detail)
	}
	e = wantError(t, do(t, h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"Name":"x"}`), 400, scim.ScimTypeInvalidSyntax)
	if !strings.Contains(e.Detail, `use "name"`) {
		t.Errorf("case detail %q", e.Detail)
	}
	wantError(t, do(t, h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"`+strings.Repeat("x", 5000)+`"}`), 400, scim.ScimTypeInvalidValue)
	wantError(t, do(t, h, "PUT", "/Agents/"+id, `{"schemas":["`+agentURN+`"],"name":"triage-bot"}`, "If-Match", `W/"999"`), 412, "")

	// A deleted owner leaves the list.
	if rec := do(t, h, "DELETE", "/Users/"+uid, ""); rec.Code != 204 {
		t.Fatalf("delete user: %d", rec.Code)
	}
	agent = decodeMap(t, do(t, h, "GET", "/Agents/"+id, "").Body.String())
	if _, ok := agent["owners"]; ok {
		t.Errorf("owners after the owner's delete: %v", agent["owners"])
	}
	if rec := do(t, h, "DELETE", "/Agents/"+id, ""); rec.Code != 204 {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	wantError(t, do(t, h, "GET", "/Agents/"+id, ""), 404, "")
}

func TestDeclaredTypeDiscovery(t *testing.T) {
	h, _ := agentHandler(t)
	rec := do(t, h, "GET", "/ResourceTypes/Agent", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"endpoint":"/Agents"`) || !strings.Contains(rec.Body.String(), agentURN) {
		t.Fatalf("/ResourceTypes/Agent: %d %s", rec.Code, rec.Body)
	}
	rec = do(t, h, "GET", "/Schemas/"+agentURN, "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"name":"owners"`) {
		t.Fatalf("/Schemas/Agent: %d %s", rec.Code, rec.Body)
	}
}

func TestDeclaredTypeRefused(t *testing.T) {
	bad := func(mod func(*scim.ResourceType)) scim.ResourceType {
		d := agentType()
		mod(&d)
		return d
	}
	cases := []struct {
		name  string
		types []scim.ResourceType
		want  string
	}{
		{"no schema", []scim.ResourceType{bad(func(d *scim.ResourceType) { d.Schema = schema.Schema{} })}, "URN"},
		{"endpoint taken", []scim.ResourceType{bad(func(d *scim.ResourceType) { d.Endpoint = "Users" })}, `"Users"`},
		{"endpoint twice", []scim.ResourceType{agentType(), bad(func(d *scim.ResourceType) { d.Name = "Bot" })}, `"Agents"`},
		{"decimal", []scim.ResourceType{bad(func(d *scim.ResourceType) {
			d.Schema.Attributes = append(d.Schema.Attributes, schema.Attribute{Name: "score", Type: schema.Decimal})
		})}, `"score"`},
		{"unknown type", []scim.ResourceType{bad(func(d *scim.ResourceType) {
			d.Schema.Attributes = append(d.Schema.Attributes, schema.Attribute{Name: "blob", Type: "blob"})
		})}, `"blob"`},
		{"writeOnly", []scim.ResourceType{bad(func(d *scim.ResourceType) {
			d.Schema.Attributes = append(d.Schema.Attributes, schema.Attribute{Name: "secret", Type: schema.String, Mutability: schema.WriteOnly})
		})}, `"secret"`},
		{"unique list", []scim.ResourceType{bad(func(d *scim.ResourceType) {
			d.Schema.Attributes = append(d.Schema.Attributes, schema.Attribute{Name: "aliases", Type: schema.String, MultiValued: true, Uniqueness: schema.Server})
		})}, `"aliases"`},
		{"multi-valued sub-attribute", []scim.ResourceType{bad(func(d *scim.ResourceType) {
			d.Schema.Attributes = append(d.Schema.Attributes, schema.Attribute{Name: "cfg", Type: schema.Complex, SubAttributes: []schema.Attribute{{Name: "tags", Type: schema.String, MultiValued: true}}})
		})}, `"tags"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, ResourceTypes: c.types})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("NewHandler: %v, want an error naming %s", err, c.want)
			}
		})
	}
}

// activitySink keeps what the handler records.
type activitySink struct {
	mu  sync.Mutex
	got []scim.Activity
}

func (s *activitySink) Record(_ context.Context, a scim.Activity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, a)
}

func TestDeclaredTypeEvents(t *testing.T) {
	var events []scim.ResourceEvent
	sink := &activitySink{}
	var audit strings.Builder
	h, err := scim.NewHandler(memstore.New(), scim.Config{
		Authenticator: scim.SkipAuthentication, ResourceTypes: []scim.ResourceType{agentType()},
		Hooks:       scim.Hooks{AfterResourceChange: func(_ context.Context, e scim.ResourceEvent) { events = append(events, e) }},
		Activity:    sink,
		AuditLogger: slog.New(slog.NewTextHandler(&audit, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	agent := decodeMap(t, do(t, h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"bot","displayName":"Bot"}`).Body.String())
	id := agent["id"].(string)
	do(t, h, "PATCH", "/Agents/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"description","value":"d"}]}`)
	do(t, h, "PATCH", "/Agents/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"description","value":"d"}]}`) // no change: no event
	do(t, h, "DELETE", "/Agents/"+id, "")
	if len(events) != 3 {
		t.Fatalf("%d events, want 3: %+v", len(events), events)
	}
	if e := events[0]; e.Kind != scim.EventCreated || e.Type != "Agent" || e.Before != nil || e.After.Attributes["name"] != "bot" {
		t.Errorf("create event %+v", e)
	}
	if e := events[1]; e.Kind != scim.EventUpdated || e.Before.Attributes["description"] != nil || e.After.Attributes["description"] != "d" || !slices.Equal(e.Changed, []string{"description"}) {
		t.Errorf("patch event %+v", e)
	}
	if e := events[2]; e.Kind != scim.EventDeleted || e.After != nil || e.Before.ID != id {
		t.Errorf("delete event %+v", e)
	}
	var kinds []string
	for _, a := range sink.got {
		if a.Kind != scim.ActivityRequest {
			kinds = append(kinds, string(a.Kind)+" "+a.ResourceName)
		}
	}
	if want := []string{"agent created Bot", "agent updated Bot", "agent deleted Bot"}; !slices.Equal(kinds, want) {
		t.Errorf("activity %q, want %q", kinds, want)
	}
	if !strings.Contains(audit.String(), `msg="scim: agent created"`) || strings.Contains(audit.String(), `"d"`) {
		t.Errorf("audit log:\n%s", audit.String())
	}
}

// personType is a declared type whose attributes have the User's names
// (userName, name, displayName, active, emails, groups): the pipeline
// that serves Users must treat them as any declared type's.
func personType() scim.ResourceType {
	str := func(name string) schema.Attribute {
		return schema.Attribute{Name: name, Type: schema.String, Mutability: schema.ReadWrite, Returned: schema.Default}
	}
	userName := str("userName")
	userName.Required, userName.Uniqueness = true, schema.Server
	return scim.ResourceType{Name: "Person", Endpoint: "People", Schema: schema.Schema{ID: "urn:example:params:scim:schemas:core:2.0:Person", Name: "Person", Attributes: []schema.Attribute{
		userName,
		{Name: "name", Type: schema.Complex, Mutability: schema.ReadWrite, Returned: schema.Default, SubAttributes: []schema.Attribute{str("givenName"), str("familyName")}},
		str("displayName"),
		{Name: "active", Type: schema.Boolean, Mutability: schema.ReadWrite, Returned: schema.Default},
		{Name: "emails", Type: schema.Complex, MultiValued: true, Mutability: schema.ReadWrite, Returned: schema.Default, SubAttributes: []schema.Attribute{
			str("value"), str("type"), {Name: "primary", Type: schema.Boolean, Mutability: schema.ReadWrite, Returned: schema.Default}}},
		{Name: "groups", Type: schema.String, MultiValued: true, Mutability: schema.ReadWrite, Returned: schema.Default},
		{Name: "createdBy", Type: schema.String, Mutability: schema.ReadOnly, Returned: schema.Default},
	}}}
}

// stampStore sets a read-only value on every create, as a store's default
// would.
type stampStore struct{ *memstore.Store }

func (s stampStore) CreateResource(ctx context.Context, t *scim.ResourceType, r *scim.Resource) (*scim.Resource, error) {
	r = r.Clone()
	if r.Attributes == nil {
		r.Attributes = map[string]any{}
	}
	r.Attributes["createdBy"] = "system"
	return s.Store.CreateResource(ctx, t, r)
}

func TestDeclaredTypeWithUserNames(t *testing.T) {
	d := personType()
	st := stampStore{memstore.New()}
	d.Store = st
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, ResourceTypes: []scim.ResourceType{d}})
	if err != nil {
		t.Fatal(err)
	}
	const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`
	rec := do(t, h, "POST", "/People", `{"schemas":["`+d.Schema.ID+`"],"userName":"ann","name":{"givenName":"Ann"},"displayName":"A","active":true,"groups":["x"],"emails":[{"value":"a@x","type":"work"},{"value":"h@x","type":"home"}],"createdBy":"client"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	p := decodeMap(t, rec.Body.String())
	id := p["id"].(string)
	if p["createdBy"] != "system" {
		t.Errorf("the store's read-only value is not served: %v", p)
	}
	for _, c := range []struct{ op, want, gone string }{
		{`{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@x"}`, "new@x", "a@x"},
		{`{"op":"remove","path":"emails[type eq \"home\"]"}`, "new@x", "h@x"},
		{`{"op":"replace","path":"name.givenName","value":"Anne"}`, `"Anne"`, `"Ann"`},
		{`{"op":"remove","path":"active"}`, `"userName"`, `"active"`},
		{`{"op":"remove","path":"emails"}`, `"userName"`, "new@x"},
	} {
		rec := do(t, h, "PATCH", "/People/"+id, patchOp+c.op+`]}`)
		if rec.Code != http.StatusOK {
			t.Fatalf("PATCH %s: %d %s", c.op, rec.Code, rec.Body)
		}
		got := do(t, h, "GET", "/People/"+id, "").Body.String()
		if !strings.Contains(got, c.want) || strings.Contains(got, c.gone) {
			t.Errorf("after %s: %s", c.op, got)
		}
	}
	// A PUT keeps the read-only value the client cannot write.
	if rec := do(t, h, "PUT", "/People/"+id, `{"schemas":["`+d.Schema.ID+`"],"userName":"ann"}`); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"createdBy":"system"`) {
		t.Errorf("PUT: %d %s", rec.Code, rec.Body)
	}
	// meta.resourceType filters select the type's resources.
	if got := do(t, h, "GET", `/People?filter=meta.resourceType+eq+"Person"`, "").Body.String(); !strings.Contains(got, `"totalResults":1`) {
		t.Errorf("meta.resourceType filter: %s", got)
	}
	e := wantError(t, do(t, h, "POST", "/People", `{"schemas":["`+d.Schema.ID+`"],"userName":"ANN"}`), 409, scim.ScimTypeUniqueness)
	if !strings.Contains(e.Detail, "person") || !strings.Contains(e.Detail, `"userName"`) {
		t.Errorf("409 detail %q", e.Detail)
	}
}

func TestDeclaredTypeDeleteEventWithOnlyItsHook(t *testing.T) {
	var kinds []scim.EventKind
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, ResourceTypes: []scim.ResourceType{agentType()},
		Hooks: scim.Hooks{AfterResourceChange: func(_ context.Context, e scim.ResourceEvent) { kinds = append(kinds, e.Kind) }}})
	if err != nil {
		t.Fatal(err)
	}
	id := decodeMap(t, do(t, h, "POST", "/Agents", `{"schemas":["`+agentURN+`"],"name":"bot"}`).Body.String())["id"].(string)
	do(t, h, "DELETE", "/Agents/"+id, "")
	if !slices.Equal(kinds, []scim.EventKind{scim.EventCreated, scim.EventDeleted}) {
		t.Errorf("events %v, want created and deleted", kinds)
	}
}

// TestDeclaredTypeCursors walks a declared type's resources by RFC 9865
// cursor, by GET and by .search: every agent once, in order.
func TestDeclaredTypeCursors(t *testing.T) {
	h, _ := agentHandler(t)
	var want []string
	for i := range 23 {
		rec := do(t, h, "POST", "/Agents", fmt.Sprintf(`{"schemas":["%s"],"name":"bot-%02d"}`, agentURN, i))
		want = append(want, decodeMap(t, rec.Body.String())["id"].(string))
	}
	for _, search := range []bool{false, true} {
		var got []string
		cursor := ""
		for range 10 {
			var rec *httptest.ResponseRecorder
			if search {
				rec = do(t, h, "POST", "/Agents/.search", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"cursor":%q,"count":5}`, cursor))
			} else {
				rec = do(t, h, "GET", "/Agents?count=5&cursor="+cursor, "")
			}
			if rec.Code != 200 {
				t.Fatalf("page: %d %s", rec.Code, rec.Body)
			}
			l := decodeCursorList(t, rec, rec.Body.String())
			for _, r := range l.Resources {
				got = append(got, decodeMap(t, string(r))["id"].(string))
			}
			if cursor = l.NextCursor; cursor == "" {
				break
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf(".search %v: walked %d agents, want the %d in order", search, len(got), len(want))
		}
	}
	// A cursor of /Agents does not page /Users.
	rec := do(t, h, "GET", "/Agents?count=5&cursor=", "")
	l := decodeCursorList(t, rec, rec.Body.String())
	wantError(t, do(t, h, "GET", "/Users?count=5&cursor="+l.NextCursor, ""), 400, scim.ScimTypeInvalidCursor)
}

// The demo's Agent, declared once for the repository's tests.
const agentURN = testtypes.AgentURN

func agentType() scim.ResourceType { return testtypes.Agent() }
