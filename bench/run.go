package bench

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
)

// Run times w against p: b.N requests, each built from precomputed
// strings and served by p.Handler.ServeHTTP into a reused ResponseWriter,
// so that what b measures is the peer's work. The first response of every
// round is checked (status and a field of the body); a wrong one fails b.
func Run(b *testing.B, p *Peer, w *Workload) {
	if err := run(b, p.Handler, w, peerGen(p, uint64(b.N))); err != nil {
		b.Fatalf("%s %s: %v", p.Name, w.Name, err)
	}
}

// run is Run without failing b, for testing.Benchmark, whose failures are
// not reported anywhere: w's requests from g, served by h.
func run(b *testing.B, h http.Handler, w *Workload, g *gen) (err error) {
	r := &http.Request{
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		URL:        &url.URL{},
		Header:     http.Header{"Content-Type": {"application/scim+json"}},
		Host:       "example.com",
		RemoteAddr: "192.0.2.1:1234",
	}
	var body bodyReader
	rec := &recorder{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := w.next(g)
		r.Method = st.method
		r.URL.Path, r.URL.RawQuery, r.RequestURI = st.t.path, st.t.query, st.t.uri
		if st.body != nil {
			body.reset(st.body)
			r.Body, r.ContentLength = &body, int64(len(st.body))
		} else {
			r.Body, r.ContentLength = http.NoBody, 0
		}
		rec.reset()
		h.ServeHTTP(rec, r)
		if i == 0 {
			b.StopTimer()
			if err := checkResponse(w, st, rec.code, rec.body); err != nil {
				return err
			}
			b.StartTimer()
		}
	}
	return nil
}

// checkResponse checks one answer to st.
func checkResponse(w *Workload, st step, status int, body []byte) error {
	if status != w.Status {
		return fmt.Errorf("%s %s: status %d, want %d: %.200s", st.method, st.t.uri, status, w.Status, body)
	}
	if err := w.check(st, body); err != nil {
		return fmt.Errorf("%s %s: %v: %.300s", st.method, st.t.uri, err, body)
	}
	return nil
}

// recorder is a ResponseWriter reused across requests: unlike
// httptest.ResponseRecorder it can be reset, so that the loop allocates
// nothing per request.
type recorder struct {
	h     http.Header
	code  int
	body  []byte
	wrote bool
}

func (r *recorder) Header() http.Header { return r.h }

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.code, r.wrote = code, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	r.body = append(r.body, b...)
	return len(b), nil
}

func (r *recorder) reset() {
	clear(r.h)
	r.code, r.wrote, r.body = 0, false, r.body[:0]
}

// bodyReader is a request body reused across requests.
type bodyReader struct {
	b   []byte
	off int
}

func (r *bodyReader) reset(b []byte) { r.b, r.off = b, 0 }

func (r *bodyReader) Read(p []byte) (int, error) {
	if r.off >= len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	r.off += n
	return n, nil
}

func (r *bodyReader) Close() error { return nil }
