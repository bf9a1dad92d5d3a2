package scimtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Conversation is one replayed identity provider conversation: a named
// check made of several exchanges (the requests Okta or Entra ID send, and
// the answers they need). TestHandler runs each as a subtest; scimcheck
// prints one line for each.
type Conversation struct {
	// IdP is "okta" or "entra", "errors" for the error cases both
	// identity providers rely on, or "rfc" for what a generic RFC 7644
	// client relies on beyond them (projection, .search, cursor paging,
	// remove of active, noTarget, duplicates collapsed).
	IdP string
	// Name names the conversation within its IdP, e.g. "create".
	Name string
	// Enforces says which identity provider behaviour or RFC section the
	// conversation holds the service provider to.
	Enforces string
	// NeedsToken says the conversation checks authentication, and runs
	// only when Target.Token is set.
	NeedsToken bool
	// NeedsGroups says the conversation provisions groups, and runs only
	// when the service provider's /ResourceTypes lists Group (RFC 7644
	// §4): a service provider without groups is not failed for lacking
	// them.
	NeedsGroups bool
	// NeedsSearch says the conversation searches by POST /Users/.search,
	// and runs only when the service provider serves it: a search that
	// finds nothing is not answered 404, 405 or 501 (RFC 7644 §3.4.3 lets
	// clients search that way, but /ServiceProviderConfig cannot say
	// whether it is served).
	NeedsSearch bool
	// NeedsCursor says the conversation pages by cursor, and runs only
	// when the service provider's /ServiceProviderConfig says
	// pagination.cursor true (RFC 9865 §4).
	NeedsCursor bool
	// Large says the conversation creates Target.LargeGroupMembers users
	// (20,000 by default) and deletes them again. TestHandler runs it
	// in-process, where that takes seconds; scimcheck, which talks to a
	// deployment that may be rate-limited and in use, runs it only when
	// asked (-large-group N).
	Large bool

	run func(*session)
}

// FullName is IdP/Name, e.g. "okta/create".
func (c Conversation) FullName() string { return c.IdP + "/" + c.Name }

// Conversations returns every conversation, in the order TestHandler and
// scimcheck run them: Okta's (users, then Push Groups), then Entra ID's
// (users, then groups), then the error cases, then the RFC's projection,
// .search, cursor paging, remove of active, noTarget and duplicates.
func Conversations() []Conversation {
	var all []Conversation
	all = append(all, oktaConversations...)
	all = append(all, oktaGroupConversations...)
	all = append(all, entraConversations...)
	all = append(all, entraGroupConversations...)
	all = append(all, errorConversations...)
	all = append(all, rfcConversations...)
	return all
}

// A Reporter receives the outcome of a Conversation's checks. TestHandler
// adapts a *testing.T to it; scimcheck prints what it receives. Run calls a
// Reporter from one goroutine at a time.
type Reporter interface {
	// Fail records a violation; the conversation goes on where it can.
	Fail(Failure)
	// Logf records a note that is not a failure, such as a user that could
	// not be cleaned up.
	Logf(format string, args ...any)
}

// A Failure is one violation: what was wrong, and the exchange that
// showed it.
type Failure struct {
	// Check is the conversation's FullName, e.g. "okta/create".
	Check string
	// Step names the exchange, after its file in testdata without the
	// extension, e.g. "okta/create-duplicate".
	Step string
	// Message says what was wrong, e.g. `status: want 409, got 201`.
	Message string
	// Request is the request as sent, without credentials: the request
	// line and the body. Empty when the failure is not about one exchange.
	Request string
	// Response is the response as received: the status line, the
	// Content-Type and the body (cut short when long).
	Response string
}

// String formats f on several lines for a person to read.
func (f Failure) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", f.Step, f.Message)
	if f.Request != "" {
		fmt.Fprintf(&b, "\n    request:  %s", indent(f.Request, "              "))
	}
	if f.Response != "" {
		fmt.Fprintf(&b, "\n    response: %s", indent(f.Response, "              "))
	}
	return b.String()
}

func indent(s, prefix string) string { return strings.ReplaceAll(s, "\n", "\n"+prefix) }

// A Target is the service provider the conversations talk to: a handler
// in-process, or a live deployment over HTTP.
type Target struct {
	// Handler, when not nil, serves every request in-process; nothing goes
	// over the network. BaseURL may then be empty, or give the path the
	// handler is mounted at ("/scim/v2").
	Handler http.Handler

	// BaseURL is the SCIM base URL, e.g. "https://app.example.com/scim/v2":
	// the conversations request BaseURL + "/Users". Required without a
	// Handler.
	BaseURL string

	// Client sends the requests when Handler is nil. Default: a client
	// that does not follow redirects (a redirect is reported as it is).
	Client *http.Client

	// Token, when not empty, is sent as "Authorization: Bearer <Token>" on
	// every request, and turns on the checks that a bad token and a
	// missing one get a 401.
	Token string

	// BadToken is the token those checks send. Default: a random one.
	BadToken string

	// Timeout bounds each request. Default 30s.
	Timeout time.Duration

	// ImportUsers is how many users Okta's import conversation creates
	// (and deletes) before it pages through all users. Default 150, which
	// makes two pages of 100.
	ImportUsers int

	// LargeGroupMembers is how many users entra/groups-large creates (and
	// deletes) and adds to one group. Default 20,000.
	LargeGroupMembers int

	// MembersPerPatch is the most members one membership PATCH of
	// entra/groups-large names: identity providers split a large change
	// into several PATCHes, and a service provider may cap the members of
	// one request. Default 1,000; the service provider's cap must be at
	// least this.
	MembersPerPatch int
}

const (
	defaultTimeout           = 30 * time.Second
	defaultImportUsers       = 150
	defaultLargeGroupMembers = 20_000
	defaultMembersPerPatch   = 1_000
	inProcessHost            = "http://scimtest.invalid"
	maxBody                  = 4 << 20
)

// Run replays c against t and reports every violation to r. It deletes the
// users and groups it created before it returns, where the service
// provider lets it, even when ctx is cancelled. A conversation that Skip
// says does not apply to t only logs why it did not run.
func (c Conversation) Run(ctx context.Context, t Target, r Reporter) {
	s := &session{ctx: ctx, t: t, r: r, check: c.FullName(), fails: map[string]int{}}
	if c.run == nil {
		s.failf("", "scimtest: %s is not one of Conversations()", c.FullName())
		return
	}
	if err := s.setUp(); err != nil {
		s.failf("", "%v", err)
		return
	}
	if why := c.skip(s); why != "" {
		r.Logf("not run: %s", why)
		return
	}
	defer s.flushSuppressed()
	defer s.cleanUp()
	c.run(s)
}

// Skip says why c does not apply to t ("" when it does): a conversation
// that NeedsToken when t has no token, one that NeedsGroups when t's
// /ResourceTypes does not list Group, one that NeedsSearch when t does not
// serve POST /Users/.search, one that NeedsCursor when t's
// /ServiceProviderConfig does not say pagination.cursor. TestHandler skips such a
// conversation's subtest with this reason, and scimcheck reports it as
// skipped; Run only logs it.
func (c Conversation) Skip(ctx context.Context, t Target) string {
	s := &session{ctx: ctx, t: t, r: discard{}, check: c.FullName(), fails: map[string]int{}}
	if err := s.setUp(); err != nil {
		return "" // Run reports it
	}
	return c.skip(s)
}

func (c Conversation) skip(s *session) string {
	if c.NeedsToken && s.t.Token == "" {
		return "the target has no token, so there is no authentication to check"
	}
	if c.NeedsGroups {
		return s.groupsSkip()
	}
	if c.NeedsSearch {
		return s.searchSkip()
	}
	if c.NeedsCursor {
		return s.cursorSkip()
	}
	return ""
}

// discard is a Reporter that keeps nothing.
type discard struct{}

func (discard) Fail(Failure)        {}
func (discard) Logf(string, ...any) {}

// maxFailuresPerStep keeps a report readable when one mistake fails a step
// many times over (say, each of 150 users in an import).
const maxFailuresPerStep = 5

// session is one run of one conversation.
type session struct {
	ctx    context.Context
	t      Target
	r      Reporter
	check  string
	base   *url.URL
	client *http.Client

	mu         sync.Mutex // guards what follows, and calls to r from import's workers
	created    []createdResource
	fails      map[string]int // failures reported per step
	suppressed int            // failures not reported beyond maxFailuresPerStep
	throttled  int            // requests answered 429 and sent again

	upnProbe sync.Once // entra/create refused: was it userName ≠ work email? (asked once)
}

// createdResource is a user or group a conversation created, to delete at
// the end.
type createdResource struct {
	kind *resourceKind
	id   string
	name string // its userName or displayName, to find it without an id
}

// resourceKind is what clean-up needs to know of a resource type.
type resourceKind struct {
	noun, endpoint, nameAttr, deleteExchange string
}

var (
	userKind  = &resourceKind{"user", "Users", "userName", "cleanup-delete"}
	groupKind = &resourceKind{"group", "Groups", "displayName", "cleanup-delete-group"}
)

func (s *session) setUp() error {
	base := s.t.BaseURL
	if s.t.Handler != nil {
		if strings.HasPrefix(base, "/") || base == "" {
			base = inProcessHost + base
		}
		s.client = &http.Client{Transport: handlerTransport{s.t.Handler}}
	} else {
		if base == "" {
			return errors.New("scimtest: Target needs a Handler or a BaseURL")
		}
		s.client = s.t.Client
		if s.client == nil {
			s.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		}
	}
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("scimtest: base URL %q is not an absolute URL", s.t.BaseURL)
	}
	s.base = u
	if s.t.Timeout <= 0 {
		s.t.Timeout = defaultTimeout
	}
	if s.t.ImportUsers <= 0 {
		s.t.ImportUsers = defaultImportUsers
	}
	if s.t.LargeGroupMembers <= 0 {
		s.t.LargeGroupMembers = defaultLargeGroupMembers
	}
	if s.t.MembersPerPatch <= 0 {
		s.t.MembersPerPatch = defaultMembersPerPatch
	}
	if s.t.Token != "" && s.t.BadToken == "" {
		s.t.BadToken = "scimtest-not-a-token-" + randomHex(16)
	}
	return nil
}

// handlerTransport serves requests with a handler in-process, as a server
// would: with RequestURI and RemoteAddr set, and a panic turned into an
// error rather than a crashed test binary.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	r := req.Clone(req.Context())
	r.RequestURI = req.URL.RequestURI()
	r.RemoteAddr = "192.0.2.1:40000"
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, fmt.Errorf("the handler panicked: %v\n%s", p, debug.Stack())
		}
	}()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// vars are the values a conversation substitutes for {{name}} in an
// exchange.
type vars map[string]string

// with returns a copy of v with more values.
func (v vars) with(kv ...string) vars {
	c := make(vars, len(v)+len(kv)/2)
	for k, x := range v {
		c[k] = x
	}
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i]] = kv[i+1]
	}
	return c
}

// response is what the service provider answered.
type response struct {
	status int
	header http.Header
	body   []byte
	json   any // the body decoded with UseNumber; nil when it is not JSON

	request string // the request, for failure reports
}

// String is the response as a failure report shows it.
func (r *response) String() string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d %s", r.status, http.StatusText(r.status))
	if ct := r.header.Get("Content-Type"); ct != "" {
		fmt.Fprintf(&b, "\nContent-Type: %s", ct)
	}
	if len(r.body) > 0 {
		b.WriteString("\n")
		b.WriteString(clip(string(r.body)))
	}
	return b.String()
}

func clip(s string) string {
	const max = 2000
	if len(s) <= max {
		return s
	}
	return s[:max] + fmt.Sprintf("… (%d more bytes)", len(s)-max)
}

// failf reports a failure of step without an exchange.
func (s *session) failf(step, format string, args ...any) {
	s.fail(Failure{Check: s.check, Step: step, Message: fmt.Sprintf(format, args...)})
}

// failResp reports a failure about the exchange that got resp.
func (s *session) failResp(step string, resp *response, format string, args ...any) {
	f := Failure{Check: s.check, Step: step, Message: fmt.Sprintf(format, args...)}
	if resp != nil {
		f.Request, f.Response = resp.request, resp.String()
	}
	s.fail(f)
}

func (s *session) fail(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[f.Step]++
	if s.fails[f.Step] > maxFailuresPerStep {
		s.suppressed++
		return
	}
	s.r.Fail(f)
}

// flushSuppressed says how many failures were left out, and how many
// requests were throttled.
func (s *session) flushSuppressed() {
	if s.throttled > 0 {
		what := "requests were"
		if s.throttled == 1 {
			what = "request was"
		}
		s.r.Logf("%d %s answered 429 Too Many Requests and sent again after Retry-After, as Okta does", s.throttled, what)
	}
	if s.suppressed > 0 {
		s.r.Fail(Failure{Check: s.check, Step: "(more)", Message: fmt.Sprintf("%d more failures like the ones above were left out", s.suppressed)})
	}
}

func (s *session) logf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.r.Logf(format, args...)
}

// do sends the exchange in testdata/<name>.http with v and checks the
// response against the exchange's: its status, its header patterns and its
// body pattern, plus the rules every response obeys. It returns the
// response, or nil when there was none (the failure is reported).
func (s *session) do(name string, v vars) *response {
	ex, err := loadExchange(name)
	if err != nil {
		s.failf(name, "%v", err)
		return nil
	}
	if s.t.BadToken != "" {
		v = v.with("badToken", s.t.BadToken)
	}
	req, err := ex.request(s.base, v)
	if err != nil {
		s.failf(name, "%v", err)
		return nil
	}
	resp := s.send(name, req)
	if resp == nil {
		return nil
	}
	if !ex.accepts(resp.status) {
		s.failResp(name, resp, "status: want %s, got %d", ex.statusText(), resp.status)
		return resp
	}
	for _, h := range ex.respHeaders {
		want, err := substitute(h.value, v, jsonEscape)
		if err != nil {
			s.failf(name, "%v", err)
			continue
		}
		got := resp.header.Get(h.name)
		if got == "" || want != "{{any}}" && got != want {
			s.failResp(name, resp, "header %s: want %q, got %q", h.name, want, got)
		}
	}
	if ex.respBody != "" && resp.status != http.StatusNoContent {
		pattern, err := ex.pattern(v)
		if err != nil {
			s.failf(name, "%v", err)
			return resp
		}
		if resp.json == nil {
			s.failResp(name, resp, "the body is not JSON")
			return resp
		}
		var errs []string
		match("body", pattern, resp.json, &errs)
		for _, e := range errs {
			s.failResp(name, resp, "%s", e)
		}
	}
	return resp
}

// send sends req and checks the rules that hold for every response: the
// SCIM media type on any body (Microsoft's validator fails otherwise), and
// the Error schema with status as a string on every error (RFC 7644
// §3.12).
func (s *session) send(step string, req *http.Request) *response {
	if req.Header.Get("Authorization") == "" && s.t.Token != "" {
		if _, set := req.Header["Authorization"]; !set {
			req.Header.Set("Authorization", "Bearer "+s.t.Token)
		}
	}
	if vs, set := req.Header["Authorization"]; set && len(vs) == 1 && vs[0] == "" {
		req.Header.Del("Authorization")
	}
	sent := describeRequest(req)
	start := time.Now()
	hr, done, err := s.roundTrip(s.ctx, req)
	if err != nil {
		s.fail(Failure{Check: s.check, Step: step, Message: err.Error(), Request: sent})
		return nil
	}
	defer done()
	body, err := io.ReadAll(io.LimitReader(hr.Body, maxBody))
	resp := &response{status: hr.StatusCode, header: hr.Header, body: body, request: sent}
	if err != nil {
		s.failResp(step, resp, "reading the body after %s: %v", time.Since(start).Round(time.Millisecond), err)
		return nil
	}
	if len(body) > 0 {
		resp.json, _ = decodeJSON(body)
	}
	if len(body) > 0 || (resp.status != http.StatusNoContent && resp.status != http.StatusNotModified) {
		ct := hr.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/scim+json" {
			s.failResp(step, resp, "Content-Type: want application/scim+json, got %q", ct)
		}
	}
	if resp.status >= 400 {
		var errs []string
		match("error body", errorPattern(resp.status), resp.json, &errs)
		for _, e := range errs {
			s.failResp(step, resp, "%s (RFC 7644 §3.12)", e)
		}
	}
	return resp
}

func errorPattern(status int) any {
	return map[string]any{
		"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:Error"},
		"status":  fmt.Sprint(status),
	}
}

// maxRetries429 bounds how often one request is sent again after a 429.
const maxRetries429 = 10

// roundTrip sends req within parent, each attempt within the target's
// timeout. Like Okta, it sends a request answered 429 Too Many Requests
// again after the response's Retry-After (at most maxRetries429 times), so
// that a service provider that limits its rate is checked, not failed. The
// caller reads the body and then calls done, which closes it.
func (s *session) roundTrip(parent context.Context, req *http.Request) (resp *http.Response, done func(), err error) {
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(parent, s.t.Timeout)
		r := req.Clone(ctx)
		if req.GetBody != nil {
			if r.Body, err = req.GetBody(); err != nil {
				cancel()
				return nil, nil, err
			}
		}
		resp, err := s.client.Do(r)
		if err != nil {
			cancel()
			if ctx.Err() == context.DeadlineExceeded && parent.Err() == nil {
				err = fmt.Errorf("no response within %s", s.t.Timeout)
			}
			return nil, nil, err
		}
		if resp.StatusCode != http.StatusTooManyRequests || attempt == maxRetries429 {
			return resp, func() { resp.Body.Close(); cancel() }, nil
		}
		wait := retryAfter(resp.Header.Get("Retry-After"))
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		cancel()
		s.mu.Lock()
		s.throttled++
		s.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-parent.Done():
			t.Stop()
			return nil, nil, parent.Err()
		case <-t.C:
		}
	}
}

// retryAfter reads a Retry-After in seconds (RFC 9110 §10.2.3), 1s when
// there is none, at most 60s (Okta's own limit for a request).
func retryAfter(v string) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return min(time.Duration(n)*time.Second, 60*time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(time.Until(t), 0), 60*time.Second)
	}
	return time.Second
}

// describeRequest is req as a failure report shows it: never with its
// Authorization header.
func describeRequest(req *http.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", req.Method, req.URL.RequestURI())
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			body, _ := io.ReadAll(rc)
			if len(body) > 0 {
				b.WriteString("\n")
				b.WriteString(clip(string(body)))
			}
		}
	}
	return b.String()
}

// track remembers a user the conversation created, to delete it at the
// end. userName finds it when the response gave no id.
func (s *session) track(id, userName string) { s.remember(userKind, id, userName) }

// forget drops a user the conversation deleted itself.
func (s *session) forget(id string) { s.drop(userKind, id) }

func (s *session) remember(kind *resourceKind, id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.created = append(s.created, createdResource{kind: kind, id: id, name: name})
}

func (s *session) drop(kind *resourceKind, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.created = slices.DeleteFunc(s.created, func(c createdResource) bool { return c.kind == kind && c.id == id })
}

// cleanUp deletes the groups the conversation created, then its users
// (a group's members must exist while it does). A resource that cannot be
// deleted is noted, not failed: some service providers do not delete.
func (s *session) cleanUp() {
	s.mu.Lock()
	created := s.created
	s.created = nil
	s.mu.Unlock()
	for _, kind := range []*resourceKind{groupKind, userKind} {
		var these []createdResource
		for _, c := range created {
			if c.kind == kind {
				these = append(these, c)
			}
		}
		parallel(len(these), func(i int) {
			c := these[i]
			if c.id == "" {
				if c.id = s.findID(kind.endpoint, kind.nameAttr, c.name); c.id == "" {
					s.logf("could not find %s %q to clean it up", kind.noun, c.name)
					return
				}
			}
			s.deleteQuietly(kind.deleteExchange, c.id, fmt.Sprintf("%s %s (%s)", kind.noun, c.id, c.name))
		})
	}
}

// deleteQuietly sends the clean-up exchange name for id, and notes what
// went wrong rather than failing.
func (s *session) deleteQuietly(name, id, what string) {
	ex, err := loadExchange(name)
	if err != nil {
		s.logf("%v", err)
		return
	}
	req, err := ex.request(s.base, vars{"id": id})
	if err != nil {
		s.logf("%v", err)
		return
	}
	if s.t.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.t.Token)
	}
	// An interrupted run still cleans up.
	resp, done, err := s.roundTrip(context.WithoutCancel(s.ctx), req)
	if err != nil {
		s.logf("could not clean up %s: %v", what, err)
		return
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	done()
	if !ex.accepts(resp.StatusCode) {
		s.logf("could not clean up %s: DELETE answered %d", what, resp.StatusCode)
	}
}

// findID looks a resource up under endpoint by the unique value of attr
// (a user's userName, a group's displayName) for clean-up, quietly.
func (s *session) findID(endpoint, attr, value string) string {
	u := s.base.JoinPath(endpoint)
	u.RawQuery = "filter=" + url.QueryEscape(attr+` eq "`+value+`"`)
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return ""
	}
	if s.t.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.t.Token)
	}
	resp, done, err := s.roundTrip(context.WithoutCancel(s.ctx), req)
	if err != nil {
		return ""
	}
	defer done()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	v, _ := decodeJSON(body)
	for _, r := range arrayAt(v, "Resources") {
		if id, ok := stringAt(r, "id"); ok && strings.EqualFold(stringOr(r, attr), value) {
			return id
		}
	}
	return ""
}

// parallel runs f(0) … f(n-1) on a few goroutines: a live service
// provider answers a burst of creates faster that way, and a handful stays
// well below the 25 requests a second Entra ID gallery apps must sustain.
func parallel(n int, f func(i int)) {
	const workers = 4
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// newUser returns the values of a user no store has: a random suffix in
// its userName, externalId and emails, so that the conversations run
// against a store that is not empty and leave no trace when cleaned up.
func newUser() vars {
	suffix := randomHex(6)
	userName := "scimtest." + suffix + "@okta.local"
	return vars{
		"suffix":        suffix,
		"userName":      userName,
		"upperUserName": strings.ToUpper(userName),

		"externalId":    "00u" + randomHex(17),
		"email":         userName,
		"newEmail":      "new." + suffix + "@contoso.com",
		"newExternalId": "abc-" + suffix,
		"guid":          guid(),
		"active":        "true",
	}
}

// newEntraUser is newUser in the shape Entra ID's own test users have.
func newEntraUser() vars {
	v := newUser()
	userName := "Test_User_" + guid()
	return v.with(
		"userName", userName,
		"upperUserName", strings.ToUpper(userName),
		"externalId", guid(),
		"email", "Test_User_"+guid()+"@testuser.com",
	)
}

func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// guid returns a random version 4 UUID, as Entra ID's test connection
// sends.
func guid() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
