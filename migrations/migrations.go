// Package migrations holds the numbered SQL migrations, embedded in the
// binary. Never edit a released file: add a new one.
package migrations

import "embed"

// FS holds every NNNN_name.sql file of this folder.
//
//go:embed *.sql
var FS embed.FS
