package posapi_test

import (
	"context"
	"testing"
)

// TestRevokedKeyRefusedAtOnce: a key the API has just used (and so knows)
// is refused on its next request once revoked, whatever the request, and
// nothing is recorded with it; another key goes on working.
func TestRevokedKeyRefusedAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.join(420, "Rita")
	if r := e.purchase(body(e.code(m), 10000, "R-k1")); r.status != 201 {
		t.Fatalf("purchase with a live key: %d %s", r.status, r.raw)
	}
	if _, err := e.h.DB.Pool().Exec(context.Background(), `UPDATE api_keys SET revoked_at = $2 WHERE store_id = $1`,
		e.centralID, e.h.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	before := e.state(m)
	paying := body(e.code(m), 10000, "R-k2")
	paying["redeem_points"] = 1 // the checkout reads the lots in a batch
	for name, r := range map[string]reply{
		"purchase":         e.purchase(body(e.code(m), 10000, "R-k3")),
		"paying purchase":  e.purchase(paying),
		"card":             e.do("GET", "/api/v1/cards/"+e.code(m), e.bearer(), nil),
		"made-up card":     e.do("GET", "/api/v1/cards/123456789012", e.bearer(), nil),
		"cancel":           e.do("POST", "/api/v1/purchases/nope/cancel", e.bearer(), nil),
		"bad body":         e.do("POST", "/api/v1/purchases", e.bearer(), "{"),
		"bad amount query": e.do("GET", "/api/v1/cards/"+e.code(m)+"?amount=x", e.bearer(), nil),
	} {
		if r.status != 401 || r.code() != "unauthorized" {
			t.Errorf("%s with the revoked key: %d %s", name, r.status, r.raw)
		}
	}
	if after := e.state(m); after != before {
		t.Errorf("the revoked key changed data: %+v → %+v", before, after)
	}
	if r := e.do("GET", "/api/v1/cards/"+e.code(m), "Bearer "+e.riverKey, nil); r.status != 200 {
		t.Errorf("the other store's key: %d %s", r.status, r.raw)
	}
}
