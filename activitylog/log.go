package activitylog

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/scimkit/scim"
)

// Log is a scim.ActivitySink and a Reader in process memory,
// for memstore and for hosts with one replica: it keeps the latest events
// of each tenant up to a bound, and counts every request in per-minute and
// per-hour buckets for health, so that its memory does not grow with
// traffic. A host with several replicas uses a sink in its database
// (sqlstore.Activity), so that every replica's page shows every event.
// It is safe for concurrent use.
type Log struct {
	now       func() time.Time
	perTenant int
	mu        sync.Mutex
	tenants   map[string]*tenantLog
}

// DefaultEvents is how many events New keeps per tenant by default.
const DefaultEvents = 1000

// New returns an empty log that keeps the latest perTenant
// events of each tenant (DefaultEvents when perTenant ≤ 0). now is
// its clock for health (nil means time.Now).
func New(perTenant int, now func() time.Time) *Log {
	if perTenant <= 0 {
		perTenant = DefaultEvents
	}
	if now == nil {
		now = time.Now
	}
	return &Log{now: now, perTenant: perTenant, tenants: map[string]*tenantLog{}}
}

// tenantLog is one tenant's events (a ring) and health counters.
type tenantLog struct {
	events []scim.Activity // ring, oldest at next once full
	next   int
	health [3]clientCounts // by clientIndex
}

// clientCounts counts a client's requests in minute buckets for the last
// hour and hour buckets for the last day; a countBucket whose stamp is stale is
// reset before it is used.
type clientCounts struct {
	last    time.Time
	minutes [60]countBucket
	hours   [24]countBucket
}

type countBucket struct {
	stamp      int64 // minutes or hours since the Unix epoch, plus one (0: empty)
	req, fails uint32
}

func (b *countBucket) add(stamp int64, failed bool) {
	if b.stamp != stamp {
		*b = countBucket{stamp: stamp}
	}
	b.req++
	if failed {
		b.fails++
	}
}

func clientIndex(c scim.Client) int {
	switch c {
	case scim.ClientOkta:
		return 0
	case scim.ClientEntra:
		return 1
	}
	return 2
}

// Record implements scim.ActivitySink: it counts a in its tenant's health, and
// keeps it when it is an event.
func (l *Log) Record(_ context.Context, a scim.Activity) {
	at := a.Time
	if at.IsZero() {
		at = l.now()
	}
	minute, hour := at.Unix()/60+1, at.Unix()/3600+1
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tenants[a.Tenant]
	if t == nil {
		t = &tenantLog{}
		l.tenants[a.Tenant] = t
	}
	c := &t.health[clientIndex(a.Client)]
	if at.After(c.last) {
		c.last = at
	}
	c.minutes[minute%60].add(minute, a.Failed())
	c.hours[hour%24].add(hour, a.Failed())
	if a.Kind == scim.ActivityRequest {
		return
	}
	if len(t.events) < l.perTenant {
		t.events = append(t.events, a)
		return
	}
	t.events[t.next] = a
	t.next = (t.next + 1) % len(t.events)
}

// Activities implements Reader.
func (l *Log) Activities(_ context.Context, q Query) (Page, error) {
	var page Page
	if q.Limit <= 0 {
		q.Limit = 50
	}
	skip := max(q.Offset, 0)
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tenants[q.Tenant]
	if t == nil {
		return page, nil
	}
	n := len(t.events)
	for i := range n {
		// Newest first: the one before next, backwards around the ring.
		a := t.events[(t.next-1-i+2*n)%n]
		if q.Kind != "" && a.Kind != q.Kind {
			continue
		}
		if q.Name != "" && !containsFold(a.ResourceName, strings.ToLower(q.Name)) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if len(page.Activities) == q.Limit {
			page.More = true
			break
		}
		page.Activities = append(page.Activities, a)
	}
	return page, nil
}

// Health implements Reader. The day is counted in whole hours:
// the current hour and the 23 before it.
func (l *Log) Health(_ context.Context, tenant string) ([]ClientHealth, error) {
	now := l.now()
	minute, hour := now.Unix()/60+1, now.Unix()/3600+1
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tenants[tenant]
	if t == nil {
		return nil, nil
	}
	var out []ClientHealth
	for i, c := range t.health {
		if c.last.IsZero() || now.Sub(c.last) > 24*time.Hour {
			continue
		}
		h := ClientHealth{Client: scim.Clients[i], LastCall: c.last}
		for _, b := range c.minutes {
			if b.stamp > minute-60 && b.stamp <= minute {
				h.Hour.Requests += int(b.req)
				h.Hour.Failures += int(b.fails)
			}
		}
		for _, b := range c.hours {
			if b.stamp > hour-24 && b.stamp <= hour {
				h.Day.Requests += int(b.req)
				h.Day.Failures += int(b.fails)
			}
		}
		out = append(out, h)
	}
	return out, nil
}

var (
	_ scim.ActivitySink = (*Log)(nil)
	_ Reader            = (*Log)(nil)
)

// containsFold reports whether s contains the lower-case sub in any case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
