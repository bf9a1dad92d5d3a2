package scim

import (
	"net/url"
	"testing"
)

// FuzzQueryParam checks queryParam against url.ParseQuery(raw).Get, which
// it replaces on the projection path: the same first value, the same pairs
// skipped (semicolons, bad escapes).
func FuzzQueryParam(f *testing.F) {
	for _, s := range []string{
		"", "attributes=userName", "attributes=userName&attributes=id",
		"excludedAttributes=members&filter=x", "attributes=a%2Cb", "attributes=a+b",
		"attributes=%zz&attributes=ok", "a;b=c&attributes=x", "attributes", "attributes=",
		"%61ttributes=name.givenName", "&&attributes=x&", "attributes=x;y&attributes=z",
	} {
		f.Add(s, "attributes")
	}
	f.Fuzz(func(t *testing.T, raw, key string) {
		q, _ := url.ParseQuery(raw)
		if got, want := queryParam(raw, key), q.Get(key); got != want {
			t.Errorf("queryParam(%q, %q) = %q, url.ParseQuery says %q", raw, key, got, want)
		}
	})
}

// TestQueryParamAllocatesNothing pins that reading the two parameters of
// a projection from an unescaped query allocates nothing.
func TestQueryParamAllocatesNothing(t *testing.T) {
	raw := "attributes=userName&excludedAttributes=emails"
	if n := testing.AllocsPerRun(100, func() {
		_ = queryParam(raw, "attributes")
		_ = queryParam(raw, "excludedAttributes")
	}); n != 0 {
		t.Errorf("queryParam allocates %.0f times, want 0", n)
	}
}
