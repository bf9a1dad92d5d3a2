package jsontext

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzAppendString checks AppendString against encoding/json, byte for
// byte: the handler's hand-written encoder must write what json.Marshal
// would.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uote\back`, "<a&b>", "\b\f\n\r\t\x00\x1f", "\u2028\u2029", "Zoë", "\xff\xfe", "é\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("AppendString(%q) = %s, want %s", s, got, want)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		if got := AppendStringText(nil, s); string(got) != strings.TrimSuffix(buf.String(), "\n") {
			t.Fatalf("AppendStringText(%q) = %s, want %s", s, got, buf.String())
		}
	})
}
