package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
	"github.com/scimkit/scim/schema"
)

// Attack tests for Config.Limits and the rest of issue 14: each sends what
// a hostile client with a valid token would, and checks the documented
// error and that nothing was written.

// limitsHandler is a handler over a memstore with the regions attribute.
func limitsHandler(t *testing.T, cfg scim.Config) (*scim.Handler, *memstore.Store) {
	t.Helper()
	if cfg.Authenticator == nil {
		cfg.Authenticator = scim.SkipAuthentication // what the test is about is not authentication
	}
	st := memstore.New()
	cfg.Attributes = append(cfg.Attributes, regionsAttr, schema.Attribute{Name: "costCenter", Type: schema.String})
	h, err := scim.NewHandler(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, st
}

// userCount is how many users st holds.
func userCount(t *testing.T, st scim.Store) int {
	t.Helper()
	p, err := st.List(context.Background(), scim.Query{StartIndex: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.TotalResults
}

// wantDetail checks that rec is the error status/scimType and that its
// detail holds every one of parts.
func wantDetail(t *testing.T, rec *httptest.ResponseRecorder, status int, scimType string, parts ...string) {
	t.Helper()
	e := wantError(t, rec, status, scimType)
	for _, p := range parts {
		if !strings.Contains(e.Detail, p) {
			t.Errorf("detail %q does not say %q", e.Detail, p)
		}
	}
	if rec.Body.Len() > 4096 {
		t.Errorf("error body is %d bytes: it echoes the value", rec.Body.Len())
	}
}

func TestLimitsStringLengths(t *testing.T) {
	h, st := limitsHandler(t, scim.Config{})
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name, body, attr, limit string
	}{
		{"userName of 1,000,000 bytes", minimalUser(long(1_000_000)[:900_000]+"@example.com", ""), "userName", "256"},
		{"userName of 257 bytes", minimalUser(long(257-len("@e.com"))+"@e.com", ""), "userName", "256"},
		{"work email", namedUser("ann@example.com", `,"emails":[{"type":"work","value":"`+long(250)+`@e.com"}]`), `emails[type eq \"work\"].value`, "254"},
		{"displayName", minimalUser("ann@example.com", `,"displayName":"`+long(1025)+`"`), "displayName", "1024"},
		{"givenName", `{"schemas":["` + scim.UserURN + `"],"userName":"ann@example.com","name":{"givenName":"` + long(1025) + `","familyName":"Lee"},"emails":[{"type":"work","value":"a@e.com"}]}`, "name.givenName", "1024"},
		{"externalId", minimalUser("ann@example.com", `,"externalId":"`+long(1025)+`"`), "externalId", "1024"},
		{"custom string", minimalUser("ann@example.com", `,"costCenter":"`+long(1025)+`"`), "costCenter", "1024"},
		{"one value of a multi-valued string", minimalUser("ann@example.com", `,"regions":["a","`+long(1025)+`"]`), "regions[1]", "1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, "POST", "/Users", tt.body)
			wantDetail(t, rec, 400, "invalidValue", `"`+tt.attr+`"`, tt.limit, "Limits.")
			if n := userCount(t, st); n != 0 {
				t.Fatalf("%d users stored", n)
			}
		})
	}
	// Exactly at the limits is fine.
	ok := minimalUser(long(256-len("@e.com"))+"@e.com", `,"displayName":"`+long(1024)+`"`)
	decodeUser(t, do(t, h, "POST", "/Users", ok), 201)
}

func TestLimitsConfigurable(t *testing.T) {
	h, _ := limitsHandler(t, scim.Config{Limits: scim.Limits{MaxUserNameLength: 8, MaxStringLength: 4}})
	wantDetail(t, do(t, h, "POST", "/Users", minimalUser("ann@e.com", "")), 400, "invalidValue", "userName", "8")
	wantDetail(t, do(t, h, "POST", "/Users", minimalUser("a@e.com", `,"displayName":"Annie"`)), 400, "invalidValue", "displayName", "4")
	if _, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Limits: scim.Limits{MaxValues: -1}}); err == nil || !strings.Contains(err.Error(), "MaxValues") {
		t.Errorf("negative MaxValues: %v", err)
	}
	for _, l := range []scim.Limits{{MaxResourceBytes: -1}, {MaxResourceBytes: 2 << 20, MaxResponseBytes: 1 << 20}} {
		if _, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Limits: l}); err == nil || !strings.Contains(err.Error(), "MaxResourceBytes") {
			t.Errorf("%+v: %v", l, err)
		}
	}
}

func TestLimitsNULCharacter(t *testing.T) {
	h, st := limitsHandler(t, scim.Config{})
	wantDetail(t, do(t, h, "POST", "/Users", minimalUser("ann\u0000@example.com", "")), 400, "invalidValue", `"userName"`, "NUL")
	wantDetail(t, do(t, h, "POST", "/Users", minimalUser("ann@example.com", `,"regions":["a\u0000b"]`)), 400, "invalidValue", `"regions[0]"`, "NUL")
	if n := userCount(t, st); n != 0 {
		t.Fatalf("%d users stored", n)
	}
	u := create(t, h, "ann@example.com")
	wantDetail(t, do(t, h, "PATCH", "/Users/"+u.ID, patchBody(`{"op":"replace","path":"displayName","value":"A\u0000"}`)), 400, "invalidValue", `"displayName"`, "NUL")
	wantDetail(t, do(t, h, "GET", "/Users?filter="+queryEscape(`userName eq "a\u0000"`), ""), 400, "invalidFilter", "NUL")
	wantDetail(t, do(t, h, "PATCH", "/Users/"+u.ID, patchBody(`{"op":"remove","path":"regions[value eq \"a\u0000\"]"}`)), 400, "invalidPath", "U+0000")
}

// TestLimitsFilterLiteral is the 4 KB co literal of the issue.
func TestLimitsFilterLiteral(t *testing.T) {
	h, _ := limitsHandler(t, scim.Config{})
	create(t, h, "ann@example.com")
	lit := strings.Repeat("a", 4000)
	wantDetail(t, do(t, h, "GET", "/Users?filter="+queryEscape(`userName co "`+lit+`"`), ""), 400, "invalidFilter", "at most 1024 bytes")
	ok := strings.Repeat("a", 1024)
	decodeList(t, do(t, h, "GET", "/Users?filter="+queryEscape(`userName co "`+ok+`"`), ""))
}

func TestLimitsMultiValued(t *testing.T) {
	h, st := limitsHandler(t, scim.Config{})
	values := func(from, n int) string {
		vs := make([]string, n)
		for i := range vs {
			vs[i] = fmt.Sprint(from + i)
		}
		b, _ := json.Marshal(vs)
		return string(b)
	}
	wantDetail(t, do(t, h, "POST", "/Users", minimalUser("ann@example.com", `,"regions":`+values(0, 1001))), 400, "invalidValue", `"regions"`, "1001 values", "1000", "Limits.MaxValues")
	if n := userCount(t, st); n != 0 {
		t.Fatalf("%d users stored", n)
	}
	u := decodeUser(t, do(t, h, "POST", "/Users", minimalUser("ann@example.com", `,"regions":`+values(0, 1000))), 201)
	// The issue's first PATCH: 100,000 values added to regions.
	rec := do(t, h, "PATCH", "/Users/"+u.ID, patchBody(`{"op":"add","path":"regions","value":`+values(1000, 100_000)+`}`))
	wantDetail(t, rec, 400, "invalidValue", "Operations[0]", `"regions"`, "1000")
	// A path-less add, and two adds that pass the limit together.
	rec = do(t, h, "PATCH", "/Users/"+u.ID, patchBody(`{"op":"add","value":{"regions":["x"]}}`))
	wantDetail(t, rec, 400, "invalidValue", `"regions"`)
	rec = do(t, h, "PATCH", "/Users/"+u.ID, patchBody(`{"op":"remove","path":"regions","value":["0"]}`, `{"op":"add","path":"regions","value":["a"]}`, `{"op":"add","path":"regions","value":["b"]}`))
	wantDetail(t, rec, 400, "invalidValue", "Operations[2]", `"regions"`)
	got, err := st.User(context.Background(), u.ID)
	if err != nil || got.Meta.Version != u.Meta.Version || len(got.Custom["regions"].([]string)) != 1000 {
		t.Fatalf("user changed by refused PATCHes: %v %v", got, err)
	}
}

// TestLimitsOperations is the issue's second PATCH: 18,000 removes of
// regions[value co "…"].
func TestLimitsOperations(t *testing.T) {
	h, st := limitsHandler(t, scim.Config{})
	u := decodeUser(t, do(t, h, "POST", "/Users", minimalUser("ann@example.com", `,"regions":["a","b"]`)), 201)
	ops := make([]string, 18_000)
	for i := range ops {
		ops[i] = fmt.Sprintf(`{"op":"remove","path":"regions[value co \"%d\"]"}`, i)
	}
	start := time.Now()
	rec := do(t, h, "PATCH", "/Users/"+u.ID, patchBody(ops...))
	wantDetail(t, rec, 413, "", "more than 1000 operations", "Limits.MaxOperations")
	t.Logf("18,000 operations refused in %v", time.Since(start))
	got, _ := st.User(context.Background(), u.ID)
	if got.Meta.Version != u.Meta.Version {
		t.Fatal("user changed by a refused PATCH")
	}
	// 1000 operations are applied.
	ops = ops[:1000]
	ops[999] = `{"op":"remove","path":"regions[value co \"A\"]"}`
	var out struct {
		Regions []string `json:"regions"`
	}
	rec = do(t, h, "PATCH", "/Users/"+u.ID, patchBody(ops...))
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &out) != nil || len(out.Regions) != 1 || out.Regions[0] != "b" {
		t.Fatalf("1000 operations: %d %s", rec.Code, rec.Body)
	}
}

// TestPatchRuns checks that runs of removes and adds applied in one pass
// give what one operation at a time gives.
func TestPatchRuns(t *testing.T) {
	h, _ := limitsHandler(t, scim.Config{})
	tests := []struct {
		ops  []string
		want []string
	}{
		{[]string{`{"op":"remove","path":"regions[value co \"a\"]"}`, `{"op":"remove","path":"regions","value":["b1","c1"]}`, `{"op":"remove","path":"regions[value sw \"C\"]"}`}, []string{"b2", "d1"}},
		{[]string{`{"op":"add","path":"regions","value":["x","a1"]}`, `{"op":"add","path":"regions","value":"y,x"}`, `{"op":"add","path":"regions","value":["z"]}`}, []string{"a1", "a2", "b1", "b2", "c1", "c2", "d1", "x", "y", "z"}},
		{[]string{`{"op":"remove","path":"regions[value eq \"a1\"]"}`, `{"op":"add","path":"regions","value":["a1"]}`, `{"op":"add","path":"regions","value":["q"]}`, `{"op":"remove","path":"regions[value sw \"a\"]"}`, `{"op":"remove","path":"regions[value sw \"b\"]"}`}, []string{"c1", "c2", "d1", "q"}},
	}
	for i, tt := range tests {
		u := decodeUser(t, do(t, h, "POST", "/Users", minimalUser(fmt.Sprintf("u%d@example.com", i), `,"regions":["a1","a2","b1","b2","c1","c2","d1"]`)), 201)
		rec := do(t, h, "PATCH", "/Users/"+u.ID, patchBody(tt.ops...))
		var out struct {
			Regions []string `json:"regions"`
		}
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &out) != nil || strings.Join(out.Regions, ",") != strings.Join(tt.want, ",") {
			t.Errorf("case %d: %d %s, want regions %v", i, rec.Code, rec.Body, tt.want)
		}
	}
	// An error inside a run is the one the operations' order gives.
	u := create(t, h, "err@example.com")
	rec := do(t, h, "PATCH", "/Users/"+u.ID, patchBody(`{"op":"add","path":"regions","value":["a"]}`, `{"op":"add","path":"regions","value":[1]}`))
	wantDetail(t, rec, 400, "invalidValue", "Operations[1]", `"regions"`)
}

func TestPathlessPatchSetsOnce(t *testing.T) {
	h, st := limitsHandler(t, scim.Config{})
	u := create(t, h, "ann@example.com")
	for _, value := range []string{
		`{"name":{"givenName":"A"},"name.givenName":"B"}`,
		`{"name.givenName":"B","name":{"givenName":"A"}}`,
		`{"name":null,"name.familyName":"B"}`,
		`{"emails":[{"type":"work","value":"a@e.com"}],"emails[type eq \"work\"].value":"b@e.com"}`,
		`{"displayName":"A","` + scim.UserURN + `":{"displayName":"B"}}`,
		`{"regions":["a"],"regions":["b"]}`,
	} {
		rec := do(t, h, "PATCH", "/Users/"+u.ID, patchBody(`{"op":"replace","value":`+value+`}`))
		e := wantError(t, rec, 400, "invalidSyntax")
		if !strings.Contains(e.Detail, "same attribute") && !strings.Contains(e.Detail, "appears twice") {
			t.Errorf("value %s: detail %q", value, e.Detail)
		}
	}
	// Different sub-attributes of one attribute are fine.
	rec := do(t, h, "PATCH", "/Users/"+u.ID, patchBody(`{"op":"replace","value":{"name":{"givenName":"A"},"name.familyName":"B"}}`))
	if got := decodeUser(t, rec, 200); got.Name.GivenName != "A" || got.Name.FamilyName != "B" {
		t.Fatalf("name: %+v", got.Name)
	}
	if got, _ := st.User(context.Background(), u.ID); got.GivenName != "A" {
		t.Fatal("not stored")
	}
}

// lateStore delays User past the request's deadline and counts writes.
type lateStore struct {
	*memstore.Store
	delay    time.Duration
	mismatch bool // Replace always loses the race
	replaces atomic.Int32
	slow     atomic.Bool
}

func (s *lateStore) User(ctx context.Context, id string) (*scim.User, error) {
	if s.slow.Load() {
		time.Sleep(s.delay) // a store that ignores ctx while it works
	}
	return s.Store.User(context.WithoutCancel(ctx), id)
}

func (s *lateStore) Replace(ctx context.Context, u *scim.User, version string) (*scim.User, error) {
	s.replaces.Add(1)
	if s.mismatch {
		return nil, scim.ErrVersionMismatch
	}
	return s.Store.Replace(ctx, u, version)
}

// TestRequestTimeoutPatch: a PATCH whose time runs out while it works is a
// 503 and writes nothing, and the retry loop stops at the deadline.
func TestRequestTimeoutPatch(t *testing.T) {
	st := &lateStore{Store: memstore.New(), delay: 80 * time.Millisecond}
	h, err := scim.NewHandler(st, scim.Config{Authenticator: scim.SkipAuthentication, RequestTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	u := create(t, h, "ann@example.com")
	st.slow.Store(true)
	rec := do(t, h, "PATCH", "/Users/"+u.ID, patchBody(`{"op":"replace","path":"displayName","value":"B"}`))
	wantError(t, rec, 503, "")
	if n := st.replaces.Load(); n != 0 {
		t.Errorf("%d Replace calls after the deadline", n)
	}
	if got, _ := st.Store.User(context.Background(), u.ID); got.Meta.Version != u.Meta.Version {
		t.Error("user written after the deadline")
	}

	// Racing writers forever: without a deadline 32 tries and a 409; with
	// one, the loop stops when time is up.
	st.slow.Store(false)
	st.mismatch = true
	start := time.Now()
	rec = do(t, h, "PATCH", "/Users/"+u.ID, patchBody(`{"op":"replace","path":"displayName","value":"B"}`))
	wantError(t, rec, 503, "")
	if n := st.replaces.Load(); n >= 32 {
		t.Errorf("%d tries: the retry loop did not stop at the deadline", n)
	}
	t.Logf("retry loop stopped after %d tries, %v", st.replaces.Load(), time.Since(start))
}

// slowBody is a request body that sends one byte every interval, as the
// issue's client did, or nothing at all with interval 0.
type slowBody struct {
	data     []byte
	interval time.Duration
	stop     chan struct{}
	sent     atomic.Int64 // bytes read so far (the transport reads in its own goroutine)
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(b.data) == 0 {
		return 0, io.EOF
	}
	if b.interval == 0 {
		<-b.stop
		return 0, io.EOF
	}
	select {
	case <-time.After(b.interval):
	case <-b.stop:
		return 0, io.EOF
	}
	p[0] = b.data[0]
	b.data = b.data[1:]
	b.sent.Add(1)
	return 1, nil
}

// TestRequestTimeoutBody: a body sent slowly, or never, is cut off at the
// deadline with a 503, over a real connection (the read deadline) and
// through a ResponseRecorder (the context).
func TestRequestTimeoutBody(t *testing.T) {
	st := memstore.New()
	h, err := scim.NewHandler(st, scim.Config{Authenticator: scim.SkipAuthentication, RequestTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, interval := range []time.Duration{50 * time.Millisecond, 0} {
		t.Run(fmt.Sprint("interval ", interval), func(t *testing.T) {
			body := &slowBody{data: []byte(minimalUser("ann@example.com", "")), interval: interval, stop: make(chan struct{})}
			defer close(body.stop)
			req, _ := http.NewRequest("POST", srv.URL+"/Users", body)
			req.Header.Set("Content-Type", "application/scim+json")
			req.ContentLength = int64(len(body.data))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 503 {
				t.Errorf("status %d, want 503", resp.StatusCode)
			}
			// Cut off, not read to its end and then refused: at one byte
			// in 50 ms, the whole body takes seconds.
			if sent := body.sent.Load(); sent >= req.ContentLength {
				t.Errorf("the server read all %d bytes of the body before answering", sent)
			}
			if n := userCount(t, st); n != 0 {
				t.Errorf("%d users stored", n)
			}
		})
	}
	// Through a recorder (no connection deadline): the context.
	body := &slowBody{data: []byte(minimalUser("ann@example.com", "")), interval: 30 * time.Millisecond, stop: make(chan struct{})}
	defer close(body.stop)
	r := httptest.NewRequest("POST", "/Users", body)
	r.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	wantError(t, rec, 503, "")
}

func TestCharsetIs415(t *testing.T) {
	h, st := limitsHandler(t, scim.Config{})
	// In this order: the 409 is the second create of the user the 201
	// stored (a map's random order made this test fail now and then).
	for _, tc := range []struct {
		ct   string
		want int
	}{
		{"application/scim+json; charset=iso-8859-1", 415},
		{"application/scim+json; charset=UTF-16", 415},
		{"application/scim+json; charset=utf-8", 201},
		{"application/json; charset=UTF-8", 409},
	} {
		ct, want := tc.ct, tc.want
		rec := do(t, h, "POST", "/Users", minimalUser("ann@example.com", ""), "Content-Type", ct)
		if rec.Code != want {
			t.Errorf("%s: %d %s, want %d", ct, rec.Code, rec.Body, want)
		}
		if want == 415 && !strings.Contains(rec.Body.String(), "UTF-8") {
			t.Errorf("%s: %s does not say to send UTF-8", ct, rec.Body)
		}
	}
	if n := userCount(t, st); n != 1 {
		t.Fatalf("%d users", n)
	}
}

func TestBodyStartErrors(t *testing.T) {
	h, _ := limitsHandler(t, scim.Config{})
	for body, want := range map[string]string{
		"\xEF\xBB\xBF" + minimalUser("ann@example.com", ""): "byte order mark",
		"]":    `got ']'`,
		"\x01": "0x01",
		"42":   "a number",
	} {
		rec := do(t, h, "POST", "/Users", body)
		wantDetail(t, rec, 400, "invalidSyntax", want)
	}
}

func TestHead(t *testing.T) {
	st := memstore.New()
	h, err := scim.NewHandler(st, scim.Config{Authenticator: scim.SkipAuthentication})
	if err != nil {
		t.Fatal(err)
	}
	u := create(t, h, "ann@example.com")
	g := do(t, h, "POST", "/Groups", `{"schemas":["`+scim.GroupURN+`"],"displayName":"Eng"}`)
	var gid struct{ ID string }
	json.Unmarshal(g.Body.Bytes(), &gid)
	for _, path := range []string{"/Users", "/Users/" + u.ID, "/Groups", "/Groups/" + gid.ID, "/ServiceProviderConfig"} {
		get := do(t, h, "GET", path, "")
		head := do(t, h, "HEAD", path, "")
		if head.Code != get.Code || get.Code != 200 || head.Body.Len() != 0 {
			t.Errorf("HEAD %s: %d with %d bytes; GET: %d", path, head.Code, head.Body.Len(), get.Code)
		}
		for _, k := range []string{"Content-Type", "Etag"} {
			if head.Header().Get(k) != get.Header().Get(k) {
				t.Errorf("HEAD %s: %s %q, GET has %q", path, k, head.Header().Get(k), get.Header().Get(k))
			}
		}
	}
	if rec := do(t, h, "HEAD", "/Users/nope", ""); rec.Code != 404 {
		t.Errorf("HEAD of a missing user: %d", rec.Code)
	}
}

func TestTenantInPathWithBasePath(t *testing.T) {
	tokens := scim.NewTokens(nil)
	acme, _ := tokens.Issue("acme", "okta", time.Time{})
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: tokens, TenantInPath: true, BasePath: "/t"})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{
		"/t/acme/scim/v2/Users":   200, // the segment after the mount, not "v2"
		"/t/acme/Users":           200,
		"/t/globex/acme/Users":    401, // not the last segment before /Users
		"/t/globex/scim/v2/Users": 401,
	} {
		rec := do(t, h, "GET", path, "", "Authorization", "Bearer "+acme)
		if rec.Code != want {
			t.Errorf("GET %s: %d %s, want %d", path, rec.Code, rec.Body, want)
		}
	}
}

func TestFailedAuthLimiter(t *testing.T) {
	tokens := scim.NewTokens(nil)
	good, _ := tokens.Issue("acme", "okta", time.Time{})
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: tokens, Now: clock,
		FailedAuthLimiter: scim.NewTokenBucket(0.1, 3, clock)})
	if err != nil {
		t.Fatal(err)
	}
	from := func(addr, token string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/Users", nil)
		r.RemoteAddr = addr
		r.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	for i := range 3 {
		if rec := from("192.0.2.1:1000", fmt.Sprint("guess", i)); rec.Code != 401 {
			t.Fatalf("failure %d: %d", i, rec.Code)
		}
	}
	rec := from("192.0.2.1:1001", "guess3")
	if rec.Code != 429 || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("fourth failure: %d %v", rec.Code, rec.Header())
	}
	// Blocked: even the right token waits, so that guessing learns nothing.
	if rec := from("192.0.2.1:1002", good); rec.Code != 429 {
		t.Fatalf("right token from a blocked address: %d", rec.Code)
	}
	// Other addresses are not blocked.
	if rec := from("198.51.100.7:1000", good); rec.Code != 200 {
		t.Fatalf("another address: %d", rec.Code)
	}
	now = now.Add(time.Minute)
	if rec := from("192.0.2.1:1003", good); rec.Code != 200 {
		t.Fatalf("after the wait: %d %s", rec.Code, rec.Body)
	}
}

// TestPasswordNeverEchoed sends password values in shapes that fail, and
// checks that no error detail carries them.
func TestPasswordNeverEchoed(t *testing.T) {
	h, _ := limitsHandler(t, scim.Config{Leniency: scim.Leniency{DisallowUnknownAttributes: true}})
	u := create(t, h, "ann@example.com")
	const secret = "hunter2-S3CRET"
	for _, req := range []struct{ method, path, body string }{
		{"POST", "/Users", minimalUser("bob@example.com", `,"password":{"x":"`+secret+`"}`)},
		{"POST", "/Users", minimalUser("bob@example.com", `,"password":["`+secret+`"],"bogus":1`)},
		{"PATCH", "/Users/" + u.ID, patchBody(`{"op":"replace","path":"password","value":{"v":"` + secret + `"}}`)},
		{"PATCH", "/Users/" + u.ID, patchBody(`{"op":"replace","value":{"password":"` + secret + `","PassWord":"` + secret + `"}}`)},
		{"PATCH", "/Users/" + u.ID, patchBody(`{"op":"replace","value":{"password":"` + secret + `","password":"` + secret + `"}}`)},
		{"PATCH", "/Users/" + u.ID, patchBody(`{"op":"replace","path":"password[value eq \"` + secret + `\"]","value":"x"}`)},
		{"PATCH", "/Users/" + u.ID, patchBody(`{"op":"replace","path":"password.x","value":"` + secret + `"}`)},
		{"PATCH", "/Users/" + u.ID, patchBody(`{"op":"add","path":"password","value":"`+secret+`"}`, `{"op":"bogus"}`)},
		{"GET", "/Users?filter=" + queryEscape(`password eq "`+secret+`"`), ""},
	} {
		rec := do(t, h, req.method, req.path, req.body)
		if strings.Contains(rec.Body.String(), secret) {
			t.Errorf("%s %s %.80s: the answer echoes the password: %s", req.method, req.path, req.body, rec.Body)
		}
	}
}

// TestListResponseBudget: a page whose JSON would pass MaxResponseBytes
// is cut short, itemsPerPage says so, and paging on reaches every user.
func TestListResponseBudget(t *testing.T) {
	h, _ := limitsHandler(t, scim.Config{Limits: scim.Limits{MaxResponseBytes: 64 << 10, MaxStringLength: 20_000}})
	big := strings.Repeat("d", 19_000)
	for i := range 20 {
		decodeUser(t, do(t, h, "POST", "/Users", minimalUser(fmt.Sprintf("u%02d@example.com", i), `,"displayName":"`+big+`"`)), 201)
	}
	seen := 0
	for start := 1; start <= 20; {
		rec := do(t, h, "GET", fmt.Sprintf("/Users?count=100&startIndex=%d", start), "")
		l := decodeList(t, rec)
		if rec.Body.Len() > 64<<10 {
			t.Errorf("page at %d: %d bytes, budget 64 KiB", start, rec.Body.Len())
		}
		if l.TotalResults != 20 || l.ItemsPerPage != len(l.Resources) || l.ItemsPerPage == 0 || l.ItemsPerPage > 3 {
			t.Fatalf("page at %d: total %d, itemsPerPage %d, %d resources", start, l.TotalResults, l.ItemsPerPage, len(l.Resources))
		}
		seen += l.ItemsPerPage
		start += l.ItemsPerPage
	}
	if seen != 20 {
		t.Fatalf("paged through %d users, want 20", seen)
	}
	// A single user larger than the budget (its values within
	// MaxResourceBytes, which cannot pass the budget, and meta beside
	// them) is still served, alone.
	h2, _ := limitsHandler(t, scim.Config{Limits: scim.Limits{MaxResponseBytes: 1024, MaxStringLength: 20_000}})
	for i := range 2 {
		decodeUser(t, do(t, h2, "POST", "/Users", minimalUser(fmt.Sprintf("u%d@example.com", i), `,"displayName":"`+big[:800]+`"`)), 201)
	}
	if l := decodeList(t, do(t, h2, "GET", "/Users", "")); l.ItemsPerPage != 1 || l.TotalResults != 2 {
		t.Fatalf("over-budget users: itemsPerPage %d, total %d", l.ItemsPerPage, l.TotalResults)
	}
}

// writeSizes records the size of every Write of a response.
type writeSizes struct {
	*httptest.ResponseRecorder
	sizes []int
}

func (w *writeSizes) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	return w.ResponseRecorder.Write(p)
}

// TestListStreams checks that a large page goes out in chunks of about 32
// KiB, never built whole.
func TestListStreams(t *testing.T) {
	h, _ := limitsHandler(t, scim.Config{})
	dn := strings.Repeat("d", 1000)
	for i := range 100 {
		decodeUser(t, do(t, h, "POST", "/Users", minimalUser(fmt.Sprintf("u%03d@example.com", i), `,"displayName":"`+dn+`"`)), 201)
	}
	w := &writeSizes{ResponseRecorder: httptest.NewRecorder()}
	h.ServeHTTP(w, httptest.NewRequest("GET", "/Users?count=100", nil))
	if l := decodeList(t, w.ResponseRecorder); l.ItemsPerPage != 100 {
		t.Fatalf("itemsPerPage %d", l.ItemsPerPage)
	}
	biggest := 0
	for _, n := range w.sizes {
		biggest = max(biggest, n)
	}
	if len(w.sizes) < 3 || biggest > 32<<10+4096 {
		t.Fatalf("%d writes of at most %d bytes for a %d-byte page: not streamed in 32 KiB chunks", len(w.sizes), biggest, w.Body.Len())
	}
	t.Logf("%d bytes in %d writes of at most %d bytes", w.Body.Len(), len(w.sizes), biggest)
}

// queryEscape escapes s for a query string.
func queryEscape(s string) string { return url.QueryEscape(s) }

// unsupportedStore cannot evaluate any filter, and says so with the
// filter's text, as a careless Store would.
type unsupportedStore struct{ *memstore.Store }

func (s unsupportedStore) List(ctx context.Context, q scim.Query) (*scim.Page, error) {
	if q.Filter != nil {
		return nil, fmt.Errorf("%w: cannot run %s", scim.ErrUnsupportedFilter, q.Filter)
	}
	return s.Store.List(ctx, q)
}

// TestFilterLogHasNoValues: the log line of a filter the store cannot
// evaluate shows its shape, not its literals.
func TestFilterLogHasNoValues(t *testing.T) {
	var log strings.Builder
	h, err := scim.NewHandler(unsupportedStore{memstore.New()}, scim.Config{Authenticator: scim.SkipAuthentication, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	rec := do(t, h, "GET", "/Users?filter="+queryEscape(`userName co "secret-value" or emails[value sw "other-secret"]`), "")
	wantError(t, rec, 400, "invalidFilter")
	if strings.Contains(log.String(), "secret") {
		t.Errorf("the log carries filter values: %s", log.String())
	}
	if !strings.Contains(log.String(), "userName co") {
		t.Errorf("the log does not show the filter's shape: %s", log.String())
	}
}

// deafStore ignores its context, as a Store may, and its reads take 60ms
// when slow is set.
type deafStore struct {
	*memstore.Store
	slow *atomic.Bool
}

func (s deafStore) Create(ctx context.Context, u *scim.User) (*scim.User, error) {
	return s.Store.Create(context.WithoutCancel(ctx), u)
}

func (s deafStore) Delete(ctx context.Context, id, version string) error {
	return s.Store.Delete(context.WithoutCancel(ctx), id, version)
}

func (s deafStore) User(ctx context.Context, id string) (*scim.User, error) {
	if s.slow.Load() {
		time.Sleep(60 * time.Millisecond)
	}
	return s.Store.User(context.WithoutCancel(ctx), id)
}

// TestRequestTimeoutWrites: a create or delete whose time ran out before
// the write is a 503 and writes nothing, even through a Store that
// ignores its context.
func TestRequestTimeoutWrites(t *testing.T) {
	st := deafStore{memstore.New(), new(atomic.Bool)}
	h, err := scim.NewHandler(st, scim.Config{Authenticator: scim.SkipAuthentication, RequestTimeout: 30 * time.Millisecond,
		Hooks: scim.Hooks{BeforeCreate: func(ctx context.Context, u *scim.User) error {
			if st.slow.Load() {
				time.Sleep(60 * time.Millisecond)
			}
			return nil
		}}})
	if err != nil {
		t.Fatal(err)
	}
	u := create(t, h, "ann@example.com")
	st.slow.Store(true)
	wantError(t, do(t, h, "POST", "/Users", minimalUser("bob@example.com", "")), 503, "")
	// If-Match makes the delete read the user first, slowly.
	wantError(t, do(t, h, "DELETE", "/Users/"+u.ID, "", "If-Match", "*"), 503, "")
	if n := userCount(t, st); n != 1 {
		t.Fatalf("%d users after writes past their deadline, want 1", n)
	}
}

// TestErrorsQuoteValuesShort: an error that quotes a bad value quotes at
// most its first 64 characters, not the megabyte a client sent.
func TestErrorsQuoteValuesShort(t *testing.T) {
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Attributes: []schema.Attribute{{Name: "hired", Type: schema.DateTime}}})
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("z", 500_000)
	u := create(t, h, "ann@example.com")
	for _, body := range []string{
		minimalUser("bob@example.com", `,"hired":"`+big+`"`),
		patchBody(`{"op":"` + big + `","path":"displayName","value":"x"}`),
	} {
		method, path := "POST", "/Users"
		if strings.Contains(body, scim.PatchOpURN) {
			method, path = "PATCH", "/Users/"+u.ID
		}
		rec := do(t, h, method, path, body)
		if rec.Code != 400 || rec.Body.Len() > 1024 {
			t.Errorf("%s: %d, %d bytes: %.200s", method, rec.Code, rec.Body.Len(), rec.Body)
		}
	}
}
