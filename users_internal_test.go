package scim

import (
	"reflect"
	"testing"
	"time"
)

// TestSameProfileFields changes each field of User in turn: sameUser must
// see every change but to id and meta, and profileChanged every change but
// to active as well. A field added to User and not compared fails here.
func TestSameProfileFields(t *testing.T) {
	base := User{ID: "1", ExternalID: "x", UserName: "bjensen", GivenName: "Barbara", FamilyName: "Jensen",
		DisplayName: "Babs", Email: "b@example.com", Active: true, Custom: map[string]any{"a": "1"},
		Meta: Meta{Version: `W/"1"`}}
	typ := reflect.TypeFor[User]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		changed := base
		v := reflect.ValueOf(&changed).Elem().Field(i)
		switch f.Type.Kind() {
		case reflect.String:
			v.SetString(v.String() + "!")
		case reflect.Bool:
			v.SetBool(!v.Bool())
		case reflect.Map:
			v.Set(reflect.ValueOf(map[string]any{"a": "2"}))
		case reflect.Struct:
			changed.Meta = Meta{Created: time.Unix(1, 0), LastModified: time.Unix(2, 0), Version: `W/"2"`}
		default:
			t.Fatalf("field %s: a %s, which this test does not know how to change", f.Name, f.Type)
		}
		wantSame := f.Name == "ID" || f.Name == "Meta"
		if got := sameUser(&base, &changed); got != wantSame {
			t.Errorf("sameUser with %s changed = %t, want %t", f.Name, got, wantSame)
		}
		if got, want := profileChanged(&base, &changed), !wantSame && f.Name != "Active"; got != want {
			t.Errorf("profileChanged with %s changed = %t, want %t", f.Name, got, want)
		}
	}
	fallback := base
	fallback.DisplayName = "Barbara Jensen"
	empty := base
	empty.DisplayName = ""
	if !sameUser(&empty, &fallback) || profileChanged(&fallback, &empty) {
		t.Errorf("the served displayName fallback, echoed, counts as a change")
	}
	none, emptyMap := base, base
	none.Custom, emptyMap.Custom = nil, map[string]any{}
	if !sameUser(&none, &emptyMap) {
		t.Errorf("an empty Custom counts as a change from none")
	}
}
