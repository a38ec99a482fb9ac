package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// serverCPU measures the CPU time the PostgreSQL server spends, all its
// processes together (backends, parallel workers, background writers), so
// a benchmark on a machine shared with other work can say what a query
// costs, not only how long it waited for a core. It reads Linux's
// /proc/<pid>/stat of the postmaster (its own time plus that of the
// children it reaped: parallel workers that exited) and of its live
// children, so it needs a server on this machine whose data directory
// this process can read (a private cluster started by the same user or
// root). ok is false where that is not so.
type serverCPU struct {
	postmaster int
}

func newServerCPU(ctx context.Context, pool *pgxpool.Pool) (*serverCPU, bool) {
	var dir string
	if err := pool.QueryRow(ctx, `SHOW data_directory`).Scan(&dir); err != nil {
		return nil, false
	}
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return nil, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return nil, false
	}
	s := &serverCPU{postmaster: pid}
	if _, ok := s.now(); !ok {
		return nil, false
	}
	return s, true
}

// clockTick is Linux's USER_HZ, the unit of /proc/<pid>/stat times.
const clockTick = 10 * time.Millisecond

// now is the server's CPU time so far.
func (s *serverCPU) now() (time.Duration, bool) {
	f, ok := procStat(s.postmaster)
	if !ok {
		return 0, false
	}
	// utime, stime, cutime, cstime of the postmaster.
	ticks := f[11] + f[12] + f[13] + f[14]
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == s.postmaster {
			continue
		}
		if c, ok := procStat(pid); ok && c[1] == int64(s.postmaster) {
			ticks += c[11] + c[12]
		}
	}
	return time.Duration(ticks) * clockTick, true
}

// procStat reads the numeric fields of /proc/<pid>/stat after the
// command name: f[1] is the parent's pid, f[11] utime, f[12] stime,
// f[13] cutime, f[14] cstime (field 3 of proc(5) is f[0]).
func procStat(pid int) ([]int64, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil, false
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return nil, false
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 15 {
		return nil, false
	}
	out := make([]int64, 15)
	for k := 1; k < 15; k++ {
		out[k], _ = strconv.ParseInt(fields[k], 10, 64)
	}
	return out, true
}

// since returns the server's CPU time from start (a value of now) on.
func (s *serverCPU) since(start time.Duration) time.Duration {
	end, _ := s.now()
	return end - start
}

// loadAverage is the machine's load average (/proc/loadavg), to print
// beside timings taken on a shared machine.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
