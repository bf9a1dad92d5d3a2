package scimtest

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The exchanges live in testdata (see testdata/README.md for the format)
// and are embedded, so that the kit works from any importer's test and from
// the scimcheck binary.
//
//go:embed testdata/*.http testdata/*/*.http
var exchangeFiles embed.FS

// exchange is one parsed testdata/*.http file.
type exchange struct {
	name        string
	method      string
	target      string // path and query, relative to the base URL
	reqHeaders  []header
	reqBody     string
	statuses    []int
	respHeaders []header
	respBody    string // a pattern; empty means the body is not checked
}

type header struct{ name, value string }

var loadExchanges = sync.OnceValues(func() (map[string]*exchange, error) {
	all := map[string]*exchange{}
	err := fs.WalkDir(exchangeFiles, "testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := exchangeFiles.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "testdata/"), ".http")
		ex, err := parseExchange(name, data)
		if err != nil {
			return err
		}
		all[name] = ex
		return nil
	})
	return all, err
})

// loadExchange returns the exchange in testdata/<name>.http.
func loadExchange(name string) (*exchange, error) {
	all, err := loadExchanges()
	if err != nil {
		return nil, err
	}
	ex, ok := all[name]
	if !ok {
		return nil, fmt.Errorf("scimtest: no exchange testdata/%s.http", name)
	}
	return ex, nil
}

var statusLine = regexp.MustCompile(`^HTTP( [1-5][0-9][0-9])+$`)

// parseExchange parses the format of testdata/README.md.
func parseExchange(name string, data []byte) (*exchange, error) {
	ex := &exchange{name: name}
	bad := func(line int, format string, args ...any) error {
		return fmt.Errorf("scimtest: testdata/%s.http:%d: %s", name, line, fmt.Sprintf(format, args...))
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	i := 0
	for i < len(lines) && (strings.HasPrefix(lines[i], "#") || strings.TrimSpace(lines[i]) == "") {
		i++
	}
	if i == len(lines) {
		return nil, bad(i, "no request line")
	}
	method, target, ok := strings.Cut(lines[i], " ")
	if !ok || !strings.HasPrefix(target, "/") {
		return nil, bad(i+1, "want a request line such as GET /Users, got %q", lines[i])
	}
	ex.method, ex.target = method, target
	i++
	var err error
	if ex.reqHeaders, i, err = parseHeaders(lines, i); err != nil {
		return nil, bad(i+1, "%v", err)
	}
	start := i
	for i < len(lines) && !statusLine.MatchString(lines[i]) {
		i++
	}
	if i == len(lines) {
		return nil, bad(i, "no status line such as HTTP 200")
	}
	ex.reqBody = strings.TrimSpace(strings.Join(lines[start:i], "\n"))
	for _, f := range strings.Fields(lines[i])[1:] {
		n, _ := strconv.Atoi(f)
		ex.statuses = append(ex.statuses, n)
	}
	i++
	if ex.respHeaders, i, err = parseHeaders(lines, i); err != nil {
		return nil, bad(i+1, "%v", err)
	}
	ex.respBody = strings.TrimSpace(strings.Join(lines[i:], "\n"))
	return ex, nil
}

// parseHeaders reads Name: value lines up to a blank line (which it
// skips) and returns the index after them.
func parseHeaders(lines []string, i int) ([]header, int, error) {
	var hs []header
	for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
		if statusLine.MatchString(lines[i]) {
			return hs, i, nil
		}
		name, value, ok := strings.Cut(lines[i], ":")
		if !ok {
			return nil, i, fmt.Errorf("want a header line, got %q", lines[i])
		}
		hs = append(hs, header{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	return hs, i, nil
}

func (ex *exchange) accepts(status int) bool { return slices.Contains(ex.statuses, status) }

func (ex *exchange) statusText() string {
	s := make([]string, len(ex.statuses))
	for i, n := range ex.statuses {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, " or ")
}

// request builds the exchange's request below base with v substituted.
func (ex *exchange) request(base *url.URL, v vars) (*http.Request, error) {
	path, query, _ := strings.Cut(ex.target, "?")
	path, err := substitute(path, v, url.PathEscape)
	if err != nil {
		return nil, ex.errorf("%v", err)
	}
	if query, err = substitute(query, v, url.QueryEscape); err != nil {
		return nil, ex.errorf("%v", err)
	}
	target := base.String() + path
	if query != "" {
		target += "?" + query
	}
	var body io.Reader
	if ex.reqBody != "" {
		b, err := substitute(ex.reqBody, v, jsonEscape)
		if err != nil {
			return nil, ex.errorf("%v", err)
		}
		body = strings.NewReader(b)
	}
	req, err := http.NewRequest(ex.method, target, body)
	if err != nil {
		return nil, ex.errorf("%v", err)
	}
	for _, h := range ex.reqHeaders {
		value, err := substitute(h.value, v, func(s string) string { return s })
		if err != nil {
			return nil, ex.errorf("%v", err)
		}
		req.Header[http.CanonicalHeaderKey(h.name)] = []string{value}
	}
	return req, nil
}

// pattern returns the exchange's body pattern with v substituted, decoded.
func (ex *exchange) pattern(v vars) (any, error) {
	b, err := substitute(ex.respBody, v, jsonEscape)
	if err != nil {
		return nil, ex.errorf("%v", err)
	}
	p, err := decodeJSON([]byte(b))
	if err != nil {
		return nil, ex.errorf("the response pattern is not JSON: %v", err)
	}
	return p, nil
}

func (ex *exchange) errorf(format string, args ...any) error {
	return fmt.Errorf("scimtest: testdata/%s.http: %s", ex.name, fmt.Sprintf(format, args...))
}

// The placeholders a pattern keeps: they are matched, not substituted.
var markers = []string{"any", "absent", "string", "int", "array", "contains"}

var placeholder = regexp.MustCompile(`\{\{([A-Za-z][A-Za-z0-9]*)\}\}`)

// substitute replaces each {{name}} in s by escape(v[name]), leaving the
// pattern markers alone. A name ending in JSON (such as {{membersJSON}})
// holds JSON the conversation built, and goes in as it is.
func substitute(s string, v vars, escape func(string) string) (string, error) {
	var missing []string
	out := placeholder.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-2]
		if slices.Contains(markers, name) {
			return m
		}
		x, ok := v[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		if strings.HasSuffix(name, "JSON") {
			return x
		}
		return escape(x)
	})
	if missing != nil {
		return "", fmt.Errorf("no value for {{%s}}", strings.Join(missing, "}}, {{"))
	}
	return out, nil
}

// jsonEscape escapes s for the inside of a JSON string.
func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// decodeJSON decodes one JSON value, numbers as json.Number so that 1 and
// 1.0 stay apart.
func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return v, nil
}

// match checks got against the pattern want (testdata/README.md) and
// appends what does not match, with its path, to errs.
func match(path string, want, got any, errs *[]string) {
	fail := func(format string, args ...any) {
		*errs = append(*errs, path+": "+fmt.Sprintf(format, args...))
	}
	switch w := want.(type) {
	case string:
		switch w {
		case "{{any}}":
			if got == nil {
				fail("want a value, got null")
			}
		case "{{absent}}":
			if got != nil {
				fail("must not be returned, got %s", describe(got))
			}
		case "{{string}}":
			if s, ok := got.(string); !ok || s == "" {
				fail("want a non-empty string, got %s", describe(got))
			}
		case "{{int}}":
			if !isInt(got) {
				fail("want a JSON integer, got %s", describe(got))
			}
		case "{{array}}":
			if _, ok := got.([]any); !ok {
				fail("want an array, got %s", describe(got))
			}
		default:
			if g, ok := got.(string); !ok || g != w {
				fail("want %s, got %s", describe(w), describe(got))
			}
		}
	case json.Number:
		g, ok := got.(json.Number)
		if !ok {
			fail("want the number %s, got %s", w, describe(got))
			return
		}
		wf, _ := w.Float64()
		gf, err := g.Float64()
		if err != nil || wf != gf {
			fail("want %s, got %s", w, g)
		}
	case bool:
		if g, ok := got.(bool); !ok || g != w {
			fail("want %t, got %s", w, describe(got))
		}
	case nil:
		if got != nil {
			fail("want null, got %s", describe(got))
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			fail("want an array, got %s", describe(got))
			return
		}
		if len(w) > 0 && w[0] == "{{contains}}" {
			for _, we := range w[1:] {
				if !slices.ContainsFunc(g, func(ge any) bool {
					var e []string
					match("", we, ge, &e)
					return len(e) == 0
				}) {
					fail("no element matches %s in %s", describe(we), describe(got))
				}
			}
			return
		}
		if len(g) != len(w) {
			fail("want %d elements, got %d: %s", len(w), len(g), describe(got))
			return
		}
		for i := range w {
			match(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], errs)
		}
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			fail("want an object, got %s", describe(got))
			return
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			gv, present := member(g, k)
			p := path + "." + k
			if !present && w[k] != "{{absent}}" {
				*errs = append(*errs, p+": missing")
				continue
			}
			match(p, w[k], gv, errs)
		}
	default:
		fail("scimtest: unexpected pattern %T", want)
	}
}

// member returns the member of o named k, compared case-insensitively
// (attribute names are, RFC 7643 §2.1), the exact name first.
func member(o map[string]any, k string) (any, bool) {
	if v, ok := o[k]; ok {
		return v, true
	}
	for name, v := range o {
		if strings.EqualFold(name, k) {
			return v, true
		}
	}
	return nil, false
}

func isInt(v any) bool {
	n, ok := v.(json.Number)
	if !ok {
		return false
	}
	_, err := strconv.ParseInt(string(n), 10, 64)
	return err == nil
}

// describe is v as JSON, cut short.
func describe(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// at follows a dotted path of members (e.g. "name.givenName") in v.
func at(v any, path string) (any, bool) {
	for k := range strings.SplitSeq(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = member(o, k); !ok {
			return nil, false
		}
	}
	return v, v != nil
}

func stringAt(v any, path string) (string, bool) {
	x, _ := at(v, path)
	s, ok := x.(string)
	return s, ok && s != ""
}

func stringOr(v any, path string) string {
	s, _ := stringAt(v, path)
	return s
}

func arrayAt(v any, path string) []any {
	x, _ := at(v, path)
	a, _ := x.([]any)
	return a
}
