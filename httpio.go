package scim

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// readWithin reads r's body, at most limit bytes, within the request's
// context: when the context has a deadline (Config.RequestTimeout), the
// connection's read deadline is set to it, so that a client sending one
// byte every few seconds, or none, is cut off at the deadline rather than
// read for minutes. Where the writer cannot set deadlines (an
// httptest.ResponseRecorder), the context is checked between reads.
func readWithin(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	ctx := r.Context()
	var rc *http.ResponseController
	if dl, ok := ctx.Deadline(); ok {
		rc = http.NewResponseController(w)
		if rc.SetReadDeadline(dl) != nil {
			rc = nil
		}
	}
	body, err := io.ReadAll(ctxReader{ctx, http.MaxBytesReader(w, r.Body, limit)})
	if err == nil && rc != nil {
		// Read whole: the deadline is done with. After a failure it
		// stays, so that the server's attempt to drain the rest of the
		// body (to reuse the connection) fails at once instead of
		// waiting on the client that was too slow.
		rc.SetReadDeadline(time.Time{})
	}
	return body, err
}

// ctxReader reads from r until ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// kindOther names what a value that starts with none of JSON's value
// tokens but a number's starts with, for rawValue.kind: a UTF-8 byte
// order mark (which RFC 8259 §8.1 forbids, and some clients send) or the
// byte as seen, so that the error says what was there.
func kindOther(d []byte) string {
	switch c := d[0]; {
	case c == '-' || '0' <= c && c <= '9':
		return "a number"
	case len(d) >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF:
		return "a UTF-8 byte order mark (send the JSON without one)"
	case c >= 0x20 && c < 0x7f:
		return fmt.Sprintf("%q", rune(c))
	default:
		return fmt.Sprintf("the byte 0x%02X", c)
	}
}

// headOnly is the ResponseWriter of a HEAD request: headers and status go
// out, the body is counted and dropped.
type headOnly struct{ http.ResponseWriter }

func (w headOnly) Write(p []byte) (int, error) { return len(p), nil }

// Unwrap lets http.ResponseController reach the writer underneath.
func (w headOnly) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withMethod returns a shallow copy of r with another method.
func withMethod(r *http.Request, method string) *http.Request {
	c := *r
	c.Method = method
	return &c
}
