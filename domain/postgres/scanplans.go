package postgres

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// scanCache keeps the scan plans of one statement's row between runs of
// it. pgx plans how to read each column into its destination anew for
// every query (Map.PlanScan walks the codecs and the pointer, slice and
// nullable wrappers), and for the checkout's card-and-customer row and the
// badge record, 41 columns read on every purchase, that planning was 4 %
// of the POS API's CPU: more than reading the values.
//
// Plans are kept per connection (per type map): a pgx connection, its type
// map and the plans made from that map are used by one goroutine at a
// time, as pgx itself uses them; a plan is made again when a column's type
// or format or a destination's type differs from the last run.
type scanCache struct {
	mu    sync.Mutex
	plans map[*pgtype.Map]*scanPlans
}

// scanCacheConns bounds the connections a statement keeps plans for:
// connections are replaced over a long run (a restarted database, the
// pool's idle and lifetime limits), and their plans are dropped then.
const scanCacheConns = 64

// scanPlans is what one connection planned for one statement's row.
type scanPlans struct {
	oids    []uint32
	formats []int16
	types   []reflect.Type
	plans   []pgtype.ScanPlan
}

// scan reads row into dest like row.Scan(dest...), with plans kept from
// the statement's earlier runs on the same connection.
func (c *scanCache) scan(row pgx.Row, dest ...any) error {
	return row.Scan(&cachedScan{cache: c, dest: dest})
}

type cachedScan struct {
	cache *scanCache
	dest  []any
}

// ScanRow implements pgx.RowScanner.
func (s *cachedScan) ScanRow(rows pgx.Rows) error {
	fds, values, m := rows.FieldDescriptions(), rows.RawValues(), rows.TypeMap()
	if len(fds) != len(s.dest) || len(values) != len(s.dest) {
		return fmt.Errorf("number of field descriptions must equal number of destinations, got %d and %d", len(fds), len(s.dest))
	}
	p := s.cache.get(m)
	p.fit(m, fds, s.dest)
	for i, dst := range s.dest {
		if dst == nil {
			continue
		}
		if err := p.plans[i].Scan(values[i], dst); err != nil {
			return pgx.ScanArgError{ColumnIndex: i, FieldName: fds[i].Name, Err: err}
		}
	}
	return nil
}

// get returns the plans kept for connection m's type map, empty the first
// time.
func (c *scanCache) get(m *pgtype.Map) *scanPlans {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.plans[m]
	if p == nil {
		if c.plans == nil || len(c.plans) >= scanCacheConns {
			c.plans = make(map[*pgtype.Map]*scanPlans)
		}
		p = &scanPlans{}
		c.plans[m] = p
	}
	return p
}

// fit makes the plans for the columns and destinations that differ from
// the ones they were made for.
func (p *scanPlans) fit(m *pgtype.Map, fds []pgconn.FieldDescription, dest []any) {
	if len(p.plans) != len(dest) {
		p.oids = make([]uint32, len(dest))
		p.formats = make([]int16, len(dest))
		p.types = make([]reflect.Type, len(dest))
		p.plans = make([]pgtype.ScanPlan, len(dest))
	}
	for i, dst := range dest {
		if dst == nil {
			continue
		}
		t := reflect.TypeOf(dst)
		if p.plans[i] != nil && p.oids[i] == fds[i].DataTypeOID && p.formats[i] == fds[i].Format && p.types[i] == t {
			continue
		}
		p.oids[i], p.formats[i], p.types[i] = fds[i].DataTypeOID, fds[i].Format, t
		p.plans[i] = m.PlanScan(fds[i].DataTypeOID, fds[i].Format, dst)
	}
}
