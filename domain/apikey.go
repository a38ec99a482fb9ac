package domain

import (
	"context"
	"fmt"
	"time"
)

// APIKey is a store's POS API key as an admin sees it: which store, when
// made, whether revoked, and its first characters to tell keys apart.
// The key itself is never stored, so it is never shown again.
type APIKey struct {
	ID        int64
	ShopID    int64
	StoreCode string
	Prefix    string // the key's first APIKeyPrefixLen characters
	CreatedAt time.Time
	RevokedAt time.Time // zero: active
}

// APIKeyPrefixLen is how many leading characters of a key are kept in
// clear ("lb_" and 4 more), to name it in `apikey list` and `revoke`.
const APIKeyPrefixLen = 7

// APIKeyPrefix is the part of a key that is kept in clear.
func APIKeyPrefix(key string) string {
	if len(key) < APIKeyPrefixLen {
		return key
	}
	return key[:APIKeyPrefixLen]
}

// APIKeyFilter selects API keys; every field that is set must match.
type APIKeyFilter struct {
	ShopID int64
	Prefix string
	Hash   []byte
}

// RevokeAPIKey revokes the key named by ref: its prefix (as `apikey list`
// shows it) or the whole key, which is needed only when two keys share a
// prefix. It returns the key and whether it was active until now; a key
// revoked before is returned unchanged. ErrNotFound when nothing matches;
// ErrConflict when the prefix is ambiguous.
func (s *Service) RevokeAPIKey(ctx context.Context, tx StaffStore, ref string) (*APIKey, bool, error) {
	f := APIKeyFilter{Prefix: APIKeyPrefix(ref)}
	if len(ref) > APIKeyPrefixLen {
		f.Hash = HashSecret(ref)
	}
	keys, err := tx.ListAPIKeys(ctx, f)
	switch {
	case err != nil:
		return nil, false, err
	case len(keys) == 0:
		return nil, false, fmt.Errorf("API key %q: %w", f.Prefix, ErrNotFound)
	case len(keys) > 1:
		return nil, false, fmt.Errorf("API key %q: %w: %d keys start so; give the whole key", f.Prefix, ErrConflict, len(keys))
	}
	k := keys[0]
	if !k.RevokedAt.IsZero() {
		return &k, false, nil
	}
	now := s.Now()
	if err := tx.RevokeAPIKey(ctx, k.ID, now); err != nil {
		return nil, false, err
	}
	k.RevokedAt = now
	return &k, true, nil
}
