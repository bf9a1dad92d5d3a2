package scim

import (
	"testing"
	"time"
)

// sameUser and profileChanged see a change that is only inside Custom: a
// value of a complex attribute, an email's type or primary, the order of
// a multi-valued attribute; and see none in an equal copy.
func TestSameUserCustomValues(t *testing.T) {
	base := func() *User {
		return &User{UserName: "bjensen", Active: true, Custom: map[string]any{
			"emails": []map[string]any{
				{"value": "a@x", "type": "work", "primary": true},
				{"value": "b@x", "type": "home"},
			},
			"name":   map[string]any{"middleName": "J"},
			"tags":   []string{"a", "b"},
			"nums":   []int64{1, 2},
			"hired":  time.Unix(100, 0).UTC(),
			"level":  int64(3),
			"remote": false,
		}}
	}
	for name, change := range map[string]func(*User){
		"email type":     func(u *User) { u.Custom["emails"].([]map[string]any)[1]["type"] = "other" },
		"email primary":  func(u *User) { u.Custom["emails"].([]map[string]any)[1]["primary"] = true },
		"email order":    func(u *User) { es := u.Custom["emails"].([]map[string]any); es[0], es[1] = es[1], es[0] },
		"complex value":  func(u *User) { u.Custom["name"].(map[string]any)["middleName"] = "K" },
		"complex added":  func(u *User) { u.Custom["name"].(map[string]any)["honorificPrefix"] = "Dr" },
		"tag order":      func(u *User) { u.Custom["tags"] = []string{"b", "a"} },
		"int64 element":  func(u *User) { u.Custom["nums"] = []int64{1, 3} },
		"time":           func(u *User) { u.Custom["hired"] = time.Unix(101, 0).UTC() },
		"int64":          func(u *User) { u.Custom["level"] = int64(4) },
		"bool":           func(u *User) { u.Custom["remote"] = true },
		"attribute gone": func(u *User) { delete(u.Custom, "tags") },
	} {
		old, next := base(), base()
		change(next)
		if sameUser(old, next) || !profileChanged(old, next) {
			t.Errorf("%s: sameUser %t, profileChanged %t", name, sameUser(old, next), profileChanged(old, next))
		}
	}
	if old, next := base(), base(); !sameUser(old, next) || profileChanged(old, next) {
		t.Errorf("an equal copy counts as a change")
	}
}
