//go:build unix && !linux

package embedded

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// osUser is the OS account the server runs as; nil means this process's own.
type osUser struct {
	name     string
	uid, gid int
}

// serverUser: running PostgreSQL as another user is supported on Linux only.
func serverUser() (*osUser, error) {
	if os.Geteuid() == 0 {
		return nil, errors.New("embedded postgres: PostgreSQL refuses to run as root; run as an ordinary user")
	}
	return nil, nil
}

func credAttr(*osUser) *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

// serverProcAttr puts the server in its own process group. There is no
// parent-death signal outside Linux: Stop it explicitly.
func serverProcAttr(*osUser) *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

func lockThread() {}

func reachable(fs.FileInfo, *osUser) bool { return true }

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
