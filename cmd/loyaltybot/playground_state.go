package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/loyaltybot/loyaltybot/bot/tgfake"
)

// playClock is the playground's business clock: the wall clock moved on
// by an offset that only grows (the page's +1 hour, +1 day, +30 days).
// The store, the engine, the POS API, the jobs and the fake Bot API all
// read it, so moving it is as if that much time had passed.
type playClock struct {
	mu     sync.Mutex
	offset time.Duration
	saved  func(time.Duration) error // keeps the offset across restarts
}

// Time is the business time (the store, engine and jobs call it as now).
func (c *playClock) Time() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// set starts the clock at offset from the wall clock; save keeps each
// new offset.
func (c *playClock) set(offset time.Duration, save func(time.Duration) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset, c.saved = offset, save
}

// Advance moves the clock on by d (positive) and saves the new offset.
func (c *playClock) Advance(d time.Duration) (time.Time, error) {
	if d <= 0 {
		return time.Time{}, fmt.Errorf("the clock only moves on, not by %v", d)
	}
	c.mu.Lock()
	c.offset += d
	off := c.offset
	c.mu.Unlock()
	if c.saved != nil {
		if err := c.saved(off); err != nil {
			return time.Time{}, err
		}
	}
	return c.Time(), nil
}

// playState is what the playground keeps beside its database: the clock
// (the database holds business times, so a restart must not go back to
// the wall clock), the card secret (QR codes and phone hashes stay valid)
// and the customer panes added on the page.
type playState struct {
	ClockOffset time.Duration    `json:"clock_offset"`
	CardSecret  []byte           `json:"card_secret"`
	Panes       []tgfake.WebUser `json:"panes,omitempty"`

	path string
	mu   sync.Mutex
}

// loadPlayState reads dir/state.json, or starts a new state (with a new
// card secret) when there is none.
func loadPlayState(dir string) (*playState, bool, error) {
	st := &playState{path: filepath.Join(dir, "state.json")}
	data, err := os.ReadFile(st.path)
	if errors.Is(err, fs.ErrNotExist) {
		st.CardSecret = make([]byte, 32)
		rand.Read(st.CardSecret)
		return st, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	if err := json.Unmarshal(data, st); err != nil {
		return nil, false, fmt.Errorf("%s: %w (run with --reset to start over)", st.path, err)
	}
	return st, false, nil
}

// update changes the state under its lock and writes it (through a
// temporary file, so a crash leaves the old one).
func (st *playState) update(f func(*playState)) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	f(st)
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(st.path), 0o755); err != nil {
		return err
	}
	tmp := st.path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, st.path)
}
