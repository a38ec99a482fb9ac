package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/loyaltybot/loyaltybot/domain"
)

// paramType is a statement parameter's type as the server inferred it.
type paramType struct {
	OID  uint32
	Name string // format_type, e.g. "timestamp with time zone"
}

// benchScript is a pgbench script replaying a captured checkout, with the
// constants it needs as -D defines (pgbench would take a colon inside a
// literal, as in a time or in JSON, for a variable).
type benchScript struct {
	Text    string
	Defines []string
	Trips   int
	// Captured is the public id of the bot's purchase the script replays.
	Captured string
}

// pgbench variables set per transaction: a random seeded member, a random
// amount and the points it earns, a unique number for the receipt and the
// public id, and a shift of the captured times so rows do not share one
// timestamp.
const (
	varCard   = "card"
	varCust   = "cust"
	varChat   = "chat"
	varAmount = "amount"
	varEarned = "earned"
	varUnique = "u"
	varTick   = "tick"
)

var placeholder = regexp.MustCompile(`\$(\d+)`)

// checkoutScript turns a captured checkout into a pgbench script: the
// same statements, verbatim, in the same round trips (a pipelined batch
// becomes \startpipeline … \endpipeline, which pgbench 15 sends the way
// pgx sends a batch), with every value that names the member, the amount,
// the receipt or the time replaced by a per-transaction pgbench variable
// and every other value kept as captured.
func checkoutScript(c *capturedCheckout, ids seededRange, types map[string][]paramType, p *domain.Program) (*benchScript, error) {
	cust, chat := c.CardID+ids.customer, c.CardID+ids.chat
	if cust != c.Customer {
		return nil, fmt.Errorf("captured card %d of customer %d, but seeded customers are at card id %+d", c.CardID, c.Customer, ids.customer)
	}
	bp, perPoint := earnRate(p, c.Amount, c.Earned)
	var b strings.Builder
	fmt.Fprintf(&b, "-- a POS accrual as loyaltybot sends it (captured from its own API handler)\n")
	fmt.Fprintf(&b, "\\set %s random(%d, %d)\n", varCard, ids.first, ids.last)
	fmt.Fprintf(&b, "\\set %s :%s + %d\n", varCust, varCard, ids.customer)
	fmt.Fprintf(&b, "\\set %s :%s + %d\n", varChat, varCard, ids.chat)
	fmt.Fprintf(&b, "\\set %s random(10000, 500000)\n", varAmount)
	if bp > 0 {
		fmt.Fprintf(&b, "\\set %s :%s * %d / %d\n", varEarned, varAmount, bp, perPoint)
	}
	fmt.Fprintf(&b, "\\set %s random(1, 999999999999999)\n", varUnique)
	fmt.Fprintf(&b, "\\set %s random(0, 10000000)\n", varTick)
	s := &benchScript{Trips: len(c.Trips), Captured: c.PublicID}
	// Equal ids (a card and its customer often share one) take the
	// card's name: the value is the same either way.
	roles := map[int64]string{c.Amount: ":" + varAmount}
	for _, r := range []struct {
		v    int64
		name string
	}{{chat, varChat}, {cust, varCust}, {c.CardID, varCard}} {
		roles[r.v] = ":" + r.name
	}
	if bp > 0 {
		if prev, dup := roles[c.Earned]; dup && prev != ":"+varEarned {
			return nil, fmt.Errorf("the points earned (%d) equal another value of the capture; capture another card", c.Earned)
		}
		roles[c.Earned] = ":" + varEarned
	}
	if c.Amount == c.CardID || c.Amount == cust || c.Amount == chat {
		return nil, fmt.Errorf("captured amount %d equals an id; capture another card", c.Amount)
	}
	for _, t := range c.Trips {
		pipelined := t.Batch && len(t.Statements) > 1
		if pipelined {
			b.WriteString("\\startpipeline\n")
		}
		for _, st := range t.Statements {
			sql, err := s.statement(st, types[st.SQL], roles, c, ids)
			if err != nil {
				return nil, err
			}
			b.WriteString(sql)
			b.WriteString(";\n")
		}
		if pipelined {
			b.WriteString("\\endpipeline\n")
		}
	}
	s.Text = b.String()
	return s, nil
}

// earnRate finds the tier rate that earned the captured points on the
// captured amount, so pgbench credits what the bot would for its random
// amounts (basis points, and minor units per point × 10,000). 0 when none
// matches: the captured points are then kept.
func earnRate(p *domain.Program, amount, earned int64) (int64, int64) {
	per := int64(10_000) * max(p.PointValue, 1)
	for _, t := range p.Tiers {
		if amount*t.EarnBP/per == earned {
			return t.EarnBP, per
		}
	}
	return 0, 0
}

// statement writes one captured statement with its arguments in place of
// its placeholders.
func (s *benchScript) statement(st sentStatement, types []paramType, roles map[int64]string, c *capturedCheckout, ids seededRange) (string, error) {
	sql := strings.TrimSpace(st.SQL)
	if strings.Contains(sql, ";") {
		return "", fmt.Errorf("statement %q holds a semicolon; pgbench would split it", firstLine(sql))
	}
	switch strings.ToLower(sql) {
	case "begin":
		return "BEGIN", nil
	case "commit":
		return "COMMIT", nil
	}
	if len(types) != len(st.Args) {
		return "", fmt.Errorf("statement %q: %d arguments, %d parameter types", firstLine(sql), len(st.Args), len(types))
	}
	exprs := make([]string, len(st.Args))
	for i, arg := range st.Args {
		e, err := s.value(arg, types[i], roles, c, ids)
		if err != nil {
			return "", fmt.Errorf("statement %q, $%d: %w", firstLine(sql), i+1, err)
		}
		exprs[i] = e
	}
	var bad error
	sql = placeholder.ReplaceAllStringFunc(sql, func(m string) string {
		n, _ := strconv.Atoi(m[1:])
		if n < 1 || n > len(exprs) {
			bad = fmt.Errorf("statement %q: %s without an argument", firstLine(sql), m)
			return m
		}
		return exprs[n-1]
	})
	return sql, bad
}

// value is the SQL for one argument: a per-transaction variable when it is
// one of the values that identify the purchase, else the captured value
// as a define.
func (s *benchScript) value(arg any, t paramType, roles map[int64]string, c *capturedCheckout, ids seededRange) (string, error) {
	cast := "::" + t.Name
	switch x := arg.(type) {
	case *int64:
		if x == nil {
			return "(NULL" + cast + ")", nil
		}
		arg = *x
	case *string:
		if x == nil {
			return "(NULL" + cast + ")", nil
		}
		arg = *x
	case *time.Time:
		if x == nil {
			return "(NULL" + cast + ")", nil
		}
		arg = *x
	case int:
		arg = int64(x)
	case int32:
		arg = int64(x)
	}
	switch x := arg.(type) {
	case int64:
		if v, ok := roles[x]; ok {
			return "(" + v + cast + ")", nil
		}
	case time.Time:
		// Every time of the purchase moves with the transaction's tick.
		return "((" + s.define(x.UTC().Format(time.RFC3339Nano)) + "::timestamptz + :" + varTick +
			" * interval '1 microsecond')" + cast + ")", nil
	case string:
		if e, ok := s.spliced(x, c); ok {
			return "(" + e + ")" + cast, nil
		}
		if x == ids.lastCardNumber && x != "" {
			// The card as the POS typed it: pgbench names it by its number
			// too, read by the member's id (one index lookup more than the bot).
			return "((SELECT number FROM cards WHERE id = :" + varCard + ")" + cast + ")", nil
		}
	}
	text, null, err := encodeText(arg, t.OID)
	if err != nil {
		return "", err
	}
	if null {
		return "(NULL" + cast + ")", nil
	}
	return "(" + s.define(text) + cast + ")", nil
}

// spliced rewrites a text holding the captured receipt or public id as a
// concatenation with the transaction's unique number.
func (s *benchScript) spliced(x string, c *capturedCheckout) (string, bool) {
	for _, id := range []struct{ old, prefix string }{{c.PublicID, "p_"}, {c.Receipt, "pgbench-"}} {
		if id.old == "" || !strings.Contains(x, id.old) {
			continue
		}
		parts := strings.Split(x, id.old)
		var e []string
		for i, part := range parts {
			if part != "" {
				e = append(e, s.define(part)+"::text")
			}
			if i < len(parts)-1 {
				e = append(e, s.define(id.prefix)+"::text", ":"+varUnique+"::text")
			}
		}
		return strings.Join(e, " || "), true
	}
	return "", false
}

// define adds a constant and returns the variable naming it.
func (s *benchScript) define(v string) string {
	name := fmt.Sprintf("k%d", len(s.Defines))
	s.Defines = append(s.Defines, name+"="+v)
	return ":" + name
}

// encodeText encodes a captured argument as pgx sends it to a parameter
// of type oid, in text format.
func encodeText(v any, oid uint32) (string, bool, error) {
	buf, err := pgtype.NewMap().Encode(oid, pgx.TextFormatCode, v, nil)
	if err != nil {
		return "", false, err
	}
	return string(buf), buf == nil, nil
}
