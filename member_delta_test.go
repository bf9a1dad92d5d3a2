package scim

import (
	"slices"
	"testing"
)

// remove x, add x, remove x composes to one removal of x.
func TestMemberDeltaRemovesOnce(t *testing.T) {
	d := memberDelta{addAt: map[string]int{}, removed: map[string]bool{}, ordered: map[string]bool{}}
	d.remove("x")
	d.add(Member{Value: "x"})
	d.remove("x")
	var c GroupChange
	d.into(&c)
	if !slices.Equal(c.Remove, []string{"x"}) || len(c.Add) != 0 {
		t.Errorf("%+v, want Remove [x]", c)
	}
}
