package domain

import "context"

type firstKey struct{}

// First marks ctx as work for someone waiting in person: a cashier with
// the customer at the till, a register's request. Where work queues for
// something scarce (the store's database connections), it goes before
// the rest.
func First(ctx context.Context) context.Context {
	return context.WithValue(ctx, firstKey{}, true)
}

// IsFirst says whether ctx was marked by First.
func IsFirst(ctx context.Context) bool {
	v, _ := ctx.Value(firstKey{}).(bool)
	return v
}
