package scim

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzQueryParam checks readQuery against url.ParseQuery, which it
// replaces on the list and projection paths: the same first values and
// presence where url.ParseQuery reads the query cleanly; a 400 only where
// url.ParseQuery drops a pair (a bad escape, a semicolon) that names a key
// read; a malformed pair of a key read always refused, one of any other key
// skipped as url.ParseQuery skips it.
func FuzzQueryParam(f *testing.F) {
	for _, s := range []string{
		"", "attributes=userName", "attributes=userName&attributes=id",
		"excludedAttributes=members&filter=x", "attributes=a%2Cb", "attributes=a+b",
		"attributes=%zz&attributes=ok", "a;b=c&attributes=x", "attributes", "attributes=",
		"%61ttributes=name.givenName", "&&attributes=x&", "attributes=x;y&attributes=z",
		"filter=%zz", "count=5;filter=x", "fil%zzter=x&filter=y", "filter&filter=z",
	} {
		f.Add(s, "attributes")
	}
	f.Fuzz(func(t *testing.T, raw, key string) {
		if strings.Count(raw, "&") >= 10000 {
			t.Skip("url.ParseQuery reads nothing past its limit on parameters")
		}
		keys := []string{key, "filter"}
		vals, has, e := read(raw, keys)
		q, perr := url.ParseQuery(raw)
		if perr == nil && e != nil {
			t.Fatalf("readQuery(%q) refused a query url.ParseQuery reads: %s", raw, e.Detail)
		}
		if e != nil && !strings.Contains(e.Detail, "parameter "+key+" ") && !strings.Contains(e.Detail, "parameter filter ") {
			t.Fatalf("readQuery(%q) refused the query without naming %q or filter: %s", raw, key, e.Detail)
		}
		if e == nil {
			for i, k := range keys {
				if vals[i] != q.Get(k) || has[i] != q.Has(k) {
					t.Errorf("readQuery(%q)[%q] = %q, present %v; url.ParseQuery says %q, %v", raw, k, vals[i], has[i], q.Get(k), q.Has(k))
				}
			}
		}
		if key == "" {
			return
		}
		for _, bad := range []string{"=%zz", "=a;"} {
			if _, _, e := read(raw+"&"+url.QueryEscape(key)+bad, keys); e == nil {
				t.Errorf("readQuery(%q) read a malformed %s", raw+"&"+url.QueryEscape(key)+bad, key)
			}
			other := url.QueryEscape(key + "\x00" + "filter")
			v2, h2, e2 := read(raw+"&"+other+bad, keys)
			if (e2 == nil) != (e == nil) || e == nil && (v2 != vals || h2 != has) {
				t.Errorf("a malformed pair of another key changed readQuery(%q): %q %v %v, want %q %v %v", raw+"&"+other+bad, v2, h2, e2, vals, has, e)
			}
		}
	})
}

// read is readQuery of two keys.
func read(raw string, keys []string) ([2]string, [2]bool, *Error) {
	var vals [2]string
	var has [2]bool
	e := readQuery(raw, keys, vals[:], has[:])
	return vals, has, e
}

// TestReadQueryAllocatesNothing pins that reading the parameters of a
// projection or a list from an unescaped query allocates nothing.
func TestReadQueryAllocatesNothing(t *testing.T) {
	var vals [len(listKeys)]string
	var has [len(listKeys)]bool
	for _, c := range []struct {
		raw  string
		keys []string
	}{
		{"attributes=userName&excludedAttributes=emails", projectionKeys[:]},
		{"startIndex=1&count=10&attributes=id&sortOrder=ascending", listKeys[:]},
	} {
		if n := testing.AllocsPerRun(100, func() {
			_ = readQuery(c.raw, c.keys, vals[:], has[:])
		}); n != 0 {
			t.Errorf("readQuery(%q) allocates %.0f times, want 0", c.raw, n)
		}
	}
}
