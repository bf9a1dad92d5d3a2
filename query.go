package scim

import (
	"fmt"
	"net/url"
	"strings"
)

// readQuery reads the first value of each of keys from the raw query into
// vals, as url.ParseQuery(raw).Get would, and has says which keys were
// present, as url.Values.Has would. It builds no map: a GET of one
// resource that projects reads two parameters, and the map's allocations
// would cost more than the projection saves on a small user.
//
// url.ParseQuery drops a pair with a bad percent-escape or a semicolon. A
// dropped pair that names one of keys is a 400 naming the parameter: a
// filter or a cursor that vanished would have the request served as if it
// had not been sent (every user instead of the one asked for). A dropped
// pair that names no parameter read here is skipped, as by
// url.ParseQuery.
func readQuery(raw string, keys, vals []string, has []bool) *Error {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, kerr := url.QueryUnescape(k)
		v, verr := url.QueryUnescape(v)
		if kerr != nil || verr != nil || strings.Contains(pair, ";") {
			if i := malformedKey(pair, keys); i >= 0 {
				return malformedParam(keys[i], pair)
			}
			continue
		}
		for i, key := range keys {
			if k == key && !has[i] {
				vals[i], has[i] = v, true
			}
		}
	}
	return nil
}

// malformedKey returns the index of the key in keys that the pair
// url.ParseQuery drops names, or -1. With a semicolon the pair may be
// several ("count=5;filter=…", the separator some clients still use), so
// each part's key counts.
func malformedKey(pair string, keys []string) int {
	for part := range strings.SplitSeq(pair, ";") {
		k, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(k); err == nil {
			for i, key := range keys {
				if k == key {
					return i
				}
			}
		}
	}
	return -1
}

// malformedParam is the 400 for a query parameter that cannot be read. It
// names the parameter and what is wrong, not its value, which may hold a
// userName or an e-mail address.
func malformedParam(key, pair string) *Error {
	why := "a % that is not followed by two hexadecimal digits (RFC 3986 §2.1); send a literal % as %25"
	if strings.Contains(pair, ";") {
		why = "a semicolon, which does not separate query parameters here; send a literal semicolon as %3B and separate parameters with &"
	}
	scimType := ScimTypeInvalidValue
	if key == "filter" {
		scimType = ScimTypeInvalidFilter
	}
	return badRequest(scimType, fmt.Sprintf("the query parameter %s cannot be read: it holds %s", key, why))
}
