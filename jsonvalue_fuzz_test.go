package scim

import (
	"bytes"
	"encoding/json"
	"testing"
)

// decoderMembers is the oracle for members: the keys and raw values of a
// JSON object as encoding/json's Decoder reads them.
func decoderMembers(data []byte) (keys []string, vals []string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, false
		}
		keys = append(keys, t.(string))
		vals = append(vals, string(raw))
	}
	return keys, vals, true
}

// FuzzMembers checks the hand-written scanner of members and elements
// against encoding/json: the same keys, the same raw values at the offsets
// they claim, and an error for everything json.Valid refuses.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":1}`, `{ "a" : "x\"}" , "b":[1,{"c":"]"}],"d":null}`,
		`{"userName":"bjensen","name":{"givenName":"B"},"emails":[{"value":"b@x"}]}`,
		`{"a":"\u00e9\\"}`, `{"a":1,}`, `{"a" 1}`, `[1,2]`, `{"a":{"b":{"c":[[],[{}]]}}}`,
		"{\"a\":\"\xff\"}", `{"a":-1.5e3,"b":true,"c":false}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || data[0] != '{' {
			return
		}
		var keys, vals []string
		e := members(rawValue{data: data}, "x", func(k string, v rawValue) *Error {
			if !bytes.Equal(data[v.off:v.off+int64(len(v.data))], v.data) {
				t.Fatalf("value of %q claims offset %d, but the body there is not it", k, v.off)
			}
			keys, vals = append(keys, k), append(vals, string(v.data))
			if v.data[0] == '[' {
				elements(v, k, func(_ int, el rawValue) *Error {
					if !bytes.Equal(data[el.off:el.off+int64(len(el.data))], el.data) || !json.Valid(el.data) {
						t.Fatalf("element of %q at %d is not what the body holds there", k, el.off)
					}
					return nil
				})
			}
			return nil
		})
		wantKeys, wantVals, ok := decoderMembers(data)
		if !json.Valid(data) {
			if e == nil {
				t.Fatalf("members accepted invalid JSON %q", data)
			}
			return
		}
		if !ok {
			return
		}
		if e != nil {
			// Only duplicate keys may fail a valid object.
			seen := map[string]bool{}
			for _, k := range wantKeys {
				for s := range seen {
					if bytes.EqualFold([]byte(s), []byte(k)) {
						return
					}
				}
				seen[k] = true
			}
			t.Fatalf("members refused a valid object %q: %v", data, e)
		}
		if len(keys) != len(wantKeys) {
			t.Fatalf("keys %q, want %q", keys, wantKeys)
		}
		for i := range keys {
			if keys[i] != wantKeys[i] || vals[i] != wantVals[i] {
				t.Fatalf("member %d: %q=%s, want %q=%s", i, keys[i], vals[i], wantKeys[i], wantVals[i])
			}
		}
	})
}

// FuzzUnquote checks the hand-written unescaper against encoding/json.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`""`, `"plain"`, `"emails[type eq \"work\"].value"`, `"\\\/\b\f\n\r\t"`,
		`"\u00e9\u00E9"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ud83dx"`, `"\ude00\ud83d"`, `"\ud83d\u0041"`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		// unquote's contract: s is exactly one JSON string, as members and
		// elements cut them out of a body.
		var want string
		if len(s) < 2 || s[0] != '"' || len(bytes.TrimSpace(s)) != len(s) || json.Unmarshal(s, &want) != nil {
			return
		}
		if got := unquote(s); got != want {
			t.Fatalf("unquote(%s) = %q, want %q", s, got, want)
		}
	})
}

// FuzzValidJSON checks validJSON against json.Valid, which it replaces.
func FuzzValidJSON(f *testing.F) {
	for _, s := range []string{
		``, ` `, `{}`, `[]`, ` [ ] `, `{"a":1}`, `{"a" : [1, 2.5e-3, -0, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9"]}`,
		`{"a":1,}`, `[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{:1}`, `{1:1}`, `"\u00g0"`, `"\x"`, "\"a\tb\"", "\"\xff\xfe\"",
		`01`, `-`, `-01`, `1.`, `.5`, `1e`, `1e+`, `1E-7`, `+1`, `tru`, `nul`, `falsey`, `[}`, `{]`, `[[]]]`, `[[[]]`,
		`1 2`, `"a" "b"`, "\t\n\r 7 \r\n", `{"a":{"b":{"c":[[],[{}]]}}}`, `"\ud83d\ude00"`, `"\`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"new@contoso.com"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := validJSON(data), json.Valid(data); got != want {
			t.Fatalf("validJSON(%q) = %t, json.Valid says %t", data, got, want)
		}
	})
}

// validJSON keeps encoding/json's nesting limit, empty containers included.
func TestValidJSONDepth(t *testing.T) {
	for _, depth := range []int{jsonMaxDepth - 1, jsonMaxDepth, jsonMaxDepth + 1} {
		for _, pair := range []string{"[]", "{}"} {
			var b bytes.Buffer
			for range depth - 1 {
				b.WriteString(`[`)
			}
			b.WriteString(pair)
			for range depth - 1 {
				b.WriteString(`]`)
			}
			if got, want := validJSON(b.Bytes()), json.Valid(b.Bytes()); got != want || want != (depth <= jsonMaxDepth) {
				t.Errorf("depth %d ending in %s: validJSON %t, json.Valid %t", depth, pair, got, want)
			}
		}
	}
}

// BenchmarkValidJSON compares validJSON with json.Valid on Entra ID's
// PATCH body.
func BenchmarkValidJSON(b *testing.B) {
	body := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"},{"op":"Replace","path":"emails[type eq \"work\"].value","value":"new@contoso.com"},{"op":"Replace","path":"name.givenName","value":"Ann"},{"op":"Add","path":"externalId","value":"abc"}]}`)
	b.Run("validJSON", func(b *testing.B) {
		for b.Loop() {
			validJSON(body)
		}
	})
	b.Run("json.Valid", func(b *testing.B) {
		for b.Loop() {
			json.Valid(body)
		}
	})
}
