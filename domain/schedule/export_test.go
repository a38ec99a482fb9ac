package schedule

import "sync"

// Tick runs every job's minutely check at once, as cron does at the top
// of each minute, and waits for them.
func Tick(s *Scheduler) {
	var wg sync.WaitGroup
	for _, e := range s.c.Entries() {
		wg.Add(1)
		go func() { defer wg.Done(); e.WrappedJob.Run() }()
	}
	wg.Wait()
}
