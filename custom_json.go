package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// MarshalCustom encodes User.Custom for a Store that keeps it in one JSON
// column (sqlstore's Columns.Attributes): strings, booleans, integers and
// times, their lists, and complex values (the RFC profile's addresses,
// emails, manager), so that UnmarshalCustom gives back the same Go types.
// A time is written as {"$time": RFC 3339}, which a string never is.
func MarshalCustom(custom map[string]any) ([]byte, error) {
	out := make(map[string]any, len(custom))
	for k, v := range custom {
		j, err := customJSON(v)
		if err != nil {
			return nil, fmt.Errorf("scim: MarshalCustom: %q: %w", k, err)
		}
		if j != nil {
			out[k] = j
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

type timeJSON struct {
	Time string `json:"$time"`
}

func customJSON(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string, bool, int64, []string, []bool, []int64:
		return v, nil
	case time.Time:
		return timeJSON{v.UTC().Format(time.RFC3339Nano)}, nil
	case []time.Time:
		out := make([]timeJSON, len(v))
		for i, t := range v {
			out[i] = timeJSON{t.UTC().Format(time.RFC3339Nano)}
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			j, err := customJSON(x)
			if err != nil {
				return nil, err
			}
			out[k] = j
		}
		return out, nil
	case []map[string]any:
		out := make([]any, 0, len(v))
		var err error
		for _, m := range v {
			var j any
			if j, err = customJSON(m); err != nil {
				break
			}
			out = append(out, j)
		}
		return out, err
	}
	return nil, fmt.Errorf("a %T is not a custom value", v)
}

// UnmarshalCustom decodes what MarshalCustom wrote.
func UnmarshalCustom(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("scim: UnmarshalCustom: %w", err)
	}
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		x, err := fromCustomJSON(v, true)
		if err != nil {
			return nil, fmt.Errorf("scim: UnmarshalCustom: %q: %w", k, err)
		}
		if x != nil {
			out[k] = x
		}
	}
	return out, nil
}

var errCustomJSON = errors.New("not a value MarshalCustom writes")

// fromCustomJSON turns a decoded JSON value back into a custom value;
// top says complex values are allowed (they are not inside one).
func fromCustomJSON(v any, top bool) (any, error) {
	switch v := v.(type) {
	case nil, string, bool:
		return v, nil
	case json.Number:
		return v.Int64()
	case map[string]any:
		if t, ok := v["$time"].(string); ok && len(v) == 1 {
			return time.Parse(time.RFC3339Nano, t)
		}
		if !top {
			return nil, errCustomJSON
		}
		m := make(map[string]any, len(v))
		for k, x := range v {
			y, err := fromCustomJSON(x, false)
			if err != nil {
				return nil, err
			}
			m[k] = y
		}
		return m, nil
	case []any:
		if len(v) == 0 {
			return nil, nil
		}
		first, err := fromCustomJSON(v[0], top)
		if err != nil {
			return nil, err
		}
		switch first.(type) {
		case string:
			return customList[string](v, top)
		case bool:
			return customList[bool](v, top)
		case int64:
			return customList[int64](v, top)
		case time.Time:
			return customList[time.Time](v, top)
		case map[string]any:
			return customList[map[string]any](v, top)
		}
	}
	return nil, errCustomJSON
}

func customList[T any](v []any, top bool) ([]T, error) {
	out := make([]T, len(v))
	for i, x := range v {
		y, err := fromCustomJSON(x, top)
		if err != nil {
			return nil, err
		}
		t, ok := y.(T)
		if !ok {
			return nil, errCustomJSON
		}
		out[i] = t
	}
	return out, nil
}
