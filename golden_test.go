package scim_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// -update rewrites golden files. The PATCH golden tests in package scim
// register the same flag in this test binary, so it is defined here only
// when they have not.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files from what the handler serves")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// The golden files replay recorded identity-provider traffic: each file is
// a sequence of steps, a request as Okta or Entra ID sends it and the
// response we serve. Bodies are stored pretty-printed for reading; the
// test compacts them (json.Compact keeps key order and string bytes) and
// compares the result byte for byte with what the handler writes, after
// normalising the volatile parts of the response:
//
//   - ids become {{id:N}}, numbered in order of appearance, and a request
//     may name them (PUT /Users/{{id:1}}) to reach the user a step created;
//   - meta.created and meta.lastModified become {{time}};
//   - meta.version and ETag become {{version}};
//   - the scheme and host of meta.location and Location become {{host}}.
//
// go test -run TestGolden -update rewrites the responses (never the
// requests) from what the handler serves.

type goldenFile struct {
	Description string       `json:"description"`
	Setup       string       `json:"setup,omitempty"` // a named setup in goldenSetups
	Steps       []goldenStep `json:"steps"`
}

type goldenStep struct {
	Comment  string         `json:"comment,omitempty"`
	Request  goldenRequest  `json:"request"`
	Response goldenResponse `json:"response"`
}

type goldenRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

type goldenResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// goldenSetups prepare the store before a file's steps run.
var goldenSetups = map[string]func(t *testing.T, h http.Handler){
	"250 users": func(t *testing.T, h http.Handler) {
		for i := range 250 {
			body := fmt.Sprintf(`{"schemas":["%s"],"userName":"user%03d@okta.local","name":{"givenName":"User","familyName":"%03d"},"emails":[{"primary":true,"value":"user%03d@okta.local","type":"work"}],"active":%t}`,
				scim.UserURN, i, i, i, i%7 != 0)
			if rec := do(t, h, "POST", "/scim/v2/Users", body); rec.Code != 201 {
				t.Fatalf("setup: %d %s", rec.Code, rec.Body)
			}
		}
	},
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/[oe]*/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.ToSlash(file), func(t *testing.T) { runGolden(t, file) })
	}
}

func runGolden(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)
	// The replays run against memstore, the Store a host starts with.
	h, err := scim.NewHandler(memstore.New(), scim.Config{Authenticator: scim.SkipAuthentication, Now: func() time.Time { clock = clock.Add(time.Second); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	if g.Setup != "" {
		goldenSetups[g.Setup](t, h)
	}
	n := newNormaliser()
	for i := range g.Steps {
		step := &g.Steps[i]
		var body []byte
		if len(step.Request.Body) > 0 {
			var buf bytes.Buffer
			if err := json.Compact(&buf, step.Request.Body); err != nil {
				t.Fatalf("step %d: request body: %v", i, err)
			}
			body = []byte(n.resolve(buf.String()))
		}
		r := httptest.NewRequest(step.Request.Method, n.resolve(step.Request.Path), bytes.NewReader(body))
		for k, v := range step.Request.Headers {
			r.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)

		got := goldenResponse{Status: rec.Code, Headers: map[string]string{}}
		for _, k := range []string{"Content-Type", "Location", "ETag", "Allow", "WWW-Authenticate"} {
			if v := rec.Header().Get(k); v != "" {
				got.Headers[k] = n.header(k, v)
			}
		}
		served := n.body(rec.Body.Bytes())
		if updating() {
			step.Response = got
			if len(served) > 0 {
				step.Response.Body = served
			}
			continue
		}
		if got.Status != step.Response.Status {
			t.Errorf("step %d (%s %s): status %d, want %d: %s", i, step.Request.Method, step.Request.Path, got.Status, step.Response.Status, rec.Body)
		}
		for k, v := range step.Response.Headers {
			if got.Headers[k] != v {
				t.Errorf("step %d: %s %q, want %q", i, k, got.Headers[k], v)
			}
		}
		for k := range got.Headers {
			if _, ok := step.Response.Headers[k]; !ok {
				t.Errorf("step %d: unexpected header %s: %s", i, k, got.Headers[k])
			}
		}
		var want bytes.Buffer
		if len(step.Response.Body) > 0 {
			if err := json.Compact(&want, step.Response.Body); err != nil {
				t.Fatalf("step %d: golden body: %v", i, err)
			}
		}
		if !bytes.Equal(served, want.Bytes()) {
			t.Errorf("step %d (%s %s): body differs\n got: %s\nwant: %s", i, step.Request.Method, step.Request.Path, served, want.Bytes())
		}
	}
	if updating() {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(g); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// normaliser replaces the volatile parts of responses with placeholders
// and remembers ids so that later requests can name them.
type normaliser struct {
	ids map[string]string // served id → placeholder
	rev map[string]string // placeholder → served id
}

func newNormaliser() *normaliser {
	return &normaliser{ids: map[string]string{}, rev: map[string]string{}}
}

var (
	idRE       = regexp.MustCompile(`"id":"([^"]*)"`)
	timeRE     = regexp.MustCompile(`"(created|lastModified)":"[^"]*"`)
	versionRE  = regexp.MustCompile(`"version":"(?:[^"\\]|\\.)*"`)
	locationRE = regexp.MustCompile(`"location":"https?://[^/"]*`)
	hostRE     = regexp.MustCompile(`^https?://[^/]*`)
)

func (n *normaliser) placeholder(id string) string {
	p, ok := n.ids[id]
	if !ok {
		p = fmt.Sprintf("{{id:%d}}", len(n.ids)+1)
		n.ids[id], n.rev[p] = p, id
	}
	return p
}

// body normalises a response body; only user and group ids are numbered,
// so that discovery documents (whose ids are names) stay as they are. A
// known id is replaced wherever it stands as a value (a member's value, a
// user's group).
func (n *normaliser) body(b []byte) []byte {
	s := string(b)
	for _, m := range idRE.FindAllStringSubmatch(s, -1) {
		if strings.Contains(s, `/Users/`+m[1]+`"`) || strings.Contains(s, `/Groups/`+m[1]+`"`) {
			n.placeholder(m[1])
		}
	}
	for id, p := range n.ids {
		s = strings.ReplaceAll(s, `"id":"`+id+`"`, `"id":"`+p+`"`)
		s = strings.ReplaceAll(s, `"value":"`+id+`"`, `"value":"`+p+`"`)
		s = strings.ReplaceAll(s, `/Users/`+id+`"`, `/Users/`+p+`"`)
		s = strings.ReplaceAll(s, `/Groups/`+id+`"`, `/Groups/`+p+`"`)
	}
	s = timeRE.ReplaceAllString(s, `"$1":"{{time}}"`)
	s = versionRE.ReplaceAllString(s, `"version":"{{version}}"`)
	s = locationRE.ReplaceAllString(s, `"location":"{{host}}`)
	return []byte(s)
}

func (n *normaliser) header(k, v string) string {
	switch k {
	case "ETag":
		return "{{version}}"
	case "Location":
		v = hostRE.ReplaceAllString(v, "{{host}}")
		for _, ep := range []string{"/Users/", "/Groups/"} {
			if i := strings.LastIndex(v, ep); i >= 0 {
				v = v[:i+len(ep)] + n.placeholder(v[i+len(ep):])
			}
		}
	}
	return v
}

// resolve replaces placeholders in a request with the served ids.
func (n *normaliser) resolve(s string) string {
	for p, id := range n.rev {
		s = strings.ReplaceAll(s, p, id)
	}
	return s
}
