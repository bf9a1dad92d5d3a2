package scimtest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/scimkit/scim"
	"github.com/scimkit/scim/memstore"
)

// TestStore runs the kit as a user does, on the reference implementation.
func TestTestStore(t *testing.T) {
	TestStore(t, func(*testing.T) scim.Store { return memstore.New() })
}

// recorder is a tb that records failures instead of failing the test, so
// that a test can run the kit and look at what it reported.
type recorder struct {
	name   string
	log    *failures
	failed atomic.Bool
}

// failures maps a subtest's name to the messages it reported.
type failures struct {
	mu   sync.Mutex
	msgs map[string][]string
}

func newRecorder() *recorder { return &recorder{log: &failures{msgs: map[string][]string{}}} }

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.failed.Store(true)
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	r.log.msgs[r.name] = append(r.log.msgs[r.name], fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Logf(format string, args ...any) {}

func (r *recorder) Skipf(format string, args ...any) { runtime.Goexit() }

func (r *recorder) Failed() bool { return r.failed.Load() }

// Run runs f on its own goroutine, as testing.T.Run does, so that Fatalf
// ends only f.
func (r *recorder) Run(name string, f func(t tb)) bool {
	c := &recorder{name: strings.TrimPrefix(r.name+"/"+name, "/"), log: r.log}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(c)
	}()
	<-done
	if c.Failed() {
		r.failed.Store(true)
	}
	return !c.Failed()
}

// run runs the kit on the stores newStore returns and returns the
// failures it reported, by subtest.
func run(newStore func() scim.Store) map[string][]string {
	r := newRecorder()
	testStore(r, func(tb) scim.Store { return newStore() })
	return r.log.msgs
}

// The kit finds nothing wrong with memstore, nor with memstore given a
// correct Patch, which the capability checks then cover.
func TestKitPassesMemstore(t *testing.T) {
	for _, newStore := range []func() scim.Store{
		func() scim.Store { return memstore.New() },
		func() scim.Store { return patcher{memstore.New()} },
	} {
		for name, msgs := range run(newStore) {
			for _, m := range msgs {
				t.Errorf("%T: %s: %s", newStore(), name, m)
			}
		}
	}
}
