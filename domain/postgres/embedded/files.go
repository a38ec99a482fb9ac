package embedded

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Finding the PostgreSQL binaries and preparing the folders they use: the
// data folder (owned by the server's user), a seed copy, the socket dir.

var versionDir = regexp.MustCompile(`^/usr/lib/postgresql/([0-9]+(?:\.[0-9]+)?)/bin$`)

// BinDir returns the folder of the PostgreSQL binaries Start uses: the
// newest /usr/lib/postgresql/*/bin, else the one on PATH holding postgres
// and initdb. Without any it returns ErrNotInstalled.
func BinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "postgres")) && isExec(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		d := filepath.Dir(p)
		if isExec(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	return "", ErrNotInstalled
}

func versionOf(dir string) float64 {
	m := versionDir.FindStringSubmatch(dir)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// prepareDataDir creates the data folder and makes sure the server user owns
// it and can reach it.
func prepareDataDir(dir string, owner *osUser) error {
	// Parents we create must let the server user through; the data folder
	// itself is private (PostgreSQL insists).
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("embedded postgres: %w", err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("embedded postgres: %w", err)
	}
	if owner == nil {
		return nil
	}
	if err := os.Chown(dir, owner.uid, owner.gid); err != nil {
		return fmt.Errorf("embedded postgres: chown %s: %w", dir, err)
	}
	// Every parent must let the postgres user through (x for others, or
	// owned by it). Refuse clearly rather than letting initdb fail obscurely.
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("embedded postgres: %w", err)
		}
		if !reachable(st, owner) {
			return fmt.Errorf("embedded postgres: %w: data folder %s is not reachable by the %q user: %s has mode %v (choose a folder elsewhere, or chmod o+x %s)",
				ErrUnreachable, dir, owner.name, p, st.Mode().Perm(), p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// initdb creates a new cluster in dir.
func initdb(ctx context.Context, bin, dir string, owner *osUser, fast bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("embedded postgres: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("embedded postgres: %s is not empty and holds no PostgreSQL cluster (no PG_VERSION)", dir)
	}
	args := []string{"-D", dir, "-U", superuser, "-E", "UTF8", "--locale=C", "--auth=trust", "--no-instructions"}
	if fast {
		args = append(args, "--no-sync")
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), args...)
	cmd.Dir = dir
	cmd.Env = childEnv()
	cmd.SysProcAttr = credAttr(owner)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("embedded postgres: initdb %s: %w\n%s", dir, err, bytes.TrimSpace(out.Bytes()))
	}
	return nil
}

// copyCluster copies the cluster in seed into the empty folder dir, owned
// by owner.
func copyCluster(seed, dir string, owner *osUser) error {
	if _, err := os.Stat(filepath.Join(seed, "PG_VERSION")); err != nil {
		return fmt.Errorf("embedded postgres: seed %s holds no cluster: %w", seed, err)
	}
	if _, err := os.Stat(filepath.Join(seed, "postmaster.pid")); err == nil {
		return fmt.Errorf("embedded postgres: seed %s is running", seed)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("embedded postgres: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("embedded postgres: %s is not empty and holds no PostgreSQL cluster (no PG_VERSION)", dir)
	}
	err = filepath.WalkDir(seed, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(seed, p)
		if err != nil || rel == "." {
			return err
		}
		to := filepath.Join(dir, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			err = os.Mkdir(to, info.Mode().Perm())
		case info.Mode().IsRegular():
			err = copyFile(p, to, info.Mode().Perm())
		default:
			return fmt.Errorf("%s: unexpected file type %v", p, info.Mode().Type())
		}
		if err == nil && owner != nil {
			err = os.Lchown(to, owner.uid, owner.gid)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("embedded postgres: copy seed cluster: %w", err)
	}
	return nil
}

func copyFile(from, to string, perm fs.FileMode) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// checkPidFile looks at a postmaster.pid left in dir. A live server on this
// folder is an error; a file left by a dead server is removed (PostgreSQL
// would refuse to start if its pid had been reused by another process).
func checkPidFile(dir string, log *slog.Logger) error {
	pidPath := filepath.Join(dir, "postmaster.pid")
	b, err := os.ReadFile(pidPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("embedded postgres: %w", err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err == nil && pid > 0 && processAlive(pid) && isServerOf(pid, dir) {
		return fmt.Errorf("embedded postgres: %w in %s (pid %d); stop the other process using it first", ErrAlreadyRunning, dir, pid)
	}
	// The server is dead, or its pid now belongs to an unrelated process.
	log.Warn("embedded postgres: removing stale postmaster.pid", "dir", dir, "pid", pid)
	if err := os.Remove(pidPath); err != nil {
		return fmt.Errorf("embedded postgres: remove stale postmaster.pid: %w", err)
	}
	return nil
}

// isServerOf reports whether the live process pid is a PostgreSQL server on
// dir: the server's working folder is its data folder. When that cannot be
// read (another user's process), its command name decides.
func isServerOf(pid int, dir string) bool {
	if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil {
		return sameDir(cwd, dir)
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return true // cannot tell: do not risk two servers on one folder
	}
	argv0, _, _ := bytes.Cut(cmdline, []byte{0})
	name := filepath.Base(string(argv0))
	return strings.HasPrefix(name, "postgres") || strings.HasPrefix(name, "postmaster")
}

func sameDir(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// makeSocketDir creates a private folder for the unix socket with a path
// short enough for the kernel limit, whatever the data folder's path is.
func makeSocketDir(owner *osUser) (string, error) {
	base := os.TempDir()
	if len(base)+len("/"+socketPrefix+"0123456789/.s.PGSQL.65535") > maxSocketPath {
		base = "/tmp"
	}
	// A process that died without Stop leaves its socket folder behind,
	// emptied by the server's shutdown. Clear old empty ones (Remove
	// refuses a folder that still holds a live socket).
	if old, _ := filepath.Glob(filepath.Join(base, socketPrefix+"*")); len(old) > 0 {
		for _, d := range old {
			if st, err := os.Stat(d); err == nil && time.Since(st.ModTime()) > time.Hour {
				os.Remove(d)
			}
		}
	}
	d, err := os.MkdirTemp(base, socketPrefix)
	if err != nil {
		return "", fmt.Errorf("embedded postgres: socket folder: %w", err)
	}
	if owner != nil {
		if err := os.Chown(d, owner.uid, owner.gid); err != nil {
			os.RemoveAll(d)
			return "", fmt.Errorf("embedded postgres: socket folder: %w", err)
		}
	}
	return d, nil
}

// childEnv is the environment of initdb and the server, without PG*
// variables that could redirect them.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			env = append(env, kv)
		}
	}
	return append(env, "LC_ALL=C")
}

func pathEscape(s string) string {
	var b strings.Builder
	for _, r := range []byte(s) {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' {
			b.WriteByte(r)
		} else {
			fmt.Fprintf(&b, "%%%02X", r)
		}
	}
	return b.String()
}
