package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// A raw JSON value and the byte offset where it starts in the request body,
// so that every error can say where the problem is.
type rawValue struct {
	data json.RawMessage
	off  int64
}

func (v rawValue) isNull() bool { return len(v.data) == 0 || string(v.data) == "null" }

// kind names the JSON type of v for error messages.
func (v rawValue) kind() string {
	if len(v.data) == 0 {
		return "nothing"
	}
	switch v.data[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// syntaxError turns a decoder error into a 400 invalidSyntax naming the
// byte offset.
func syntaxError(err error, base int64) *Error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("malformed JSON at byte offset %d: %s", base+se.Offset, strings.TrimPrefix(se.Error(), "json: ")))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return badRequest(ScimTypeInvalidSyntax, "malformed JSON: the body ends before the value is complete")
	}
	return badRequest(ScimTypeInvalidSyntax, "malformed JSON: "+strings.TrimPrefix(err.Error(), "json: "))
}

// members calls fn for each member of the JSON object v, in document
// order. what names v in errors ("the request body", "name"). A key given
// twice is an error: RFC 8259 leaves its meaning open, and a PATCH or a
// create that silently keeps one of two values hides a client bug. Keys
// that differ only in case count as the same key (RFC 7643 §2.1).
func members(v rawValue, what string, fn func(key string, val rawValue) *Error) *Error {
	if len(v.data) == 0 || v.data[0] != '{' {
		return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("%s must be a JSON object, got %s", what, v.kind()))
	}
	dec := json.NewDecoder(bytes.NewReader(v.data))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return syntaxError(err, v.off)
	}
	var seen []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxError(err, v.off)
		}
		key, _ := tok.(string)
		for _, k := range seen {
			// Compared as names are with CaseInsensitiveNames, so that
			// "userName" and "USERNAME" cannot both set one attribute.
			if strings.EqualFold(k, key) {
				if k != key {
					return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("members %q and %q of %s name the same attribute", k, key, what))
				}
				return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("member %q appears twice in %s", key, what))
			}
		}
		seen = append(seen, key)
		// InputOffset is just past the key; the value starts after the
		// colon and any white space.
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntaxError(err, v.off)
		}
		start += int64(bytes.IndexByte(v.data[start:], ':')) + 1
		for start < int64(len(v.data)) && isSpace(v.data[start]) {
			start++
		}
		if e := fn(key, rawValue{raw, v.off + start}); e != nil {
			return e
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxError(err, v.off)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest(ScimTypeInvalidSyntax, fmt.Sprintf("malformed JSON at byte offset %d: data after the end of %s", v.off+dec.InputOffset(), what))
	}
	return nil
}

// elements calls fn for each element of the JSON array v.
func elements(v rawValue, what string, fn func(i int, val rawValue) *Error) *Error {
	if len(v.data) == 0 || v.data[0] != '[' {
		return badRequest(ScimTypeInvalidValue, fmt.Sprintf("%s must be an array, got %s", what, v.kind()))
	}
	dec := json.NewDecoder(bytes.NewReader(v.data))
	if _, err := dec.Token(); err != nil {
		return syntaxError(err, v.off)
	}
	for i := 0; dec.More(); i++ {
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntaxError(err, v.off)
		}
		for start < int64(len(v.data)) && (isSpace(v.data[start]) || v.data[start] == ',') {
			start++
		}
		if e := fn(i, rawValue{raw, v.off + start}); e != nil {
			return e
		}
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// valueError is a 400 invalidValue naming the attribute and what it needs.
func valueError(attr string, want string, v rawValue) *Error {
	return badRequest(ScimTypeInvalidValue, fmt.Sprintf("attribute %q must be %s, got %s (byte offset %d)", attr, want, v.kind(), v.off))
}

func decodeString(attr string, v rawValue) (string, *Error) {
	var s string
	if len(v.data) == 0 || v.data[0] != '"' || json.Unmarshal(v.data, &s) != nil {
		return "", valueError(attr, "a string", v)
	}
	return s, nil
}

// decodeBool accepts a JSON boolean, and "True"/"False" in any case when
// strings are allowed (Entra ID sends them).
func decodeBool(attr string, v rawValue, allowString bool) (bool, *Error) {
	switch string(v.data) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	if allowString && len(v.data) > 0 && v.data[0] == '"' {
		var s string
		if json.Unmarshal(v.data, &s) == nil {
			switch {
			case strings.EqualFold(s, "true"):
				return true, nil
			case strings.EqualFold(s, "false"):
				return false, nil
			}
		}
	}
	return false, valueError(attr, "a boolean (true or false)", v)
}

func decodeInt(attr string, v rawValue, allowString bool) (int64, *Error) {
	text := string(v.data)
	if allowString && len(v.data) > 0 && v.data[0] == '"' {
		if json.Unmarshal(v.data, &text) != nil {
			return 0, valueError(attr, "an integer", v)
		}
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, valueError(attr, "an integer", v)
	}
	return n, nil
}

func decodeDateTime(attr string, v rawValue) (time.Time, *Error) {
	s, e := decodeString(attr, v)
	if e != nil {
		return time.Time{}, valueError(attr, "a dateTime string (RFC 3339)", v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, badRequest(ScimTypeInvalidValue, fmt.Sprintf("attribute %q must be a dateTime such as 2026-01-31T09:00:00Z, got %q", attr, s))
	}
	return t, nil
}
