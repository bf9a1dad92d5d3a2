package scim_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/scimkit/scim"
)

func TestCustomJSONRoundTrip(t *testing.T) {
	at := time.Date(2026, 1, 31, 9, 0, 0, 123_000_000, time.UTC)
	in := map[string]any{
		"title":   "Guide",
		"level":   int64(3),
		"vip":     true,
		"since":   at,
		"regions": []string{"us1", "emea2"},
		"flags":   []bool{true, false},
		"scores":  []int64{1, 2},
		"dates":   []time.Time{at, at.Add(time.Hour)},
		"manager": map[string]any{"value": "m-1", "displayName": "Boss"},
		"addresses": []map[string]any{
			{"type": "work", "locality": "Hollywood", "primary": true},
			{"type": "home", "since": at},
		},
		"note": `{"$time":"not a time"}`, // a string that looks like a tagged time stays a string
	}
	data, err := scim.MarshalCustom(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := scim.UnmarshalCustom(data)
	if err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip:\n in %#v\nout %#v\n(%s)", in, out, data)
	}
	if _, err := scim.MarshalCustom(map[string]any{"x": 1.5}); err == nil {
		t.Error("a float64 was accepted")
	}
	for _, bad := range []string{`[]`, `{"a":1.5}`, `{"a":[1,"x"]}`, `{"a":{"b":{"c":1}}}`, `{"a":{"$time":"x"}}`} {
		if _, err := scim.UnmarshalCustom([]byte(bad)); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}

// FuzzUnmarshalCustom: any input decodes or fails without panicking, and
// what decodes encodes and decodes again to the same values.
func FuzzUnmarshalCustom(f *testing.F) {
	f.Add([]byte(`{"a":"x","b":[1,2],"c":{"$time":"2026-01-31T09:00:00Z"},"d":[{"type":"work"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := scim.UnmarshalCustom(data)
		if err != nil {
			return
		}
		again, err := scim.MarshalCustom(v)
		if err != nil {
			t.Fatalf("decoded %#v does not encode: %v", v, err)
		}
		w, err := scim.UnmarshalCustom(again)
		if err != nil || !reflect.DeepEqual(v, w) {
			t.Fatalf("%#v → %s → %#v, %v", v, again, w, err)
		}
	})
}
