//go:build linux

package embedded

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"runtime"
	"strconv"
	"syscall"
)

// serverOSUser is the OS account initdb and the server run as when this
// process is root.
const serverOSUser = "postgres"

// osUser is the OS account the server runs as; nil means this process's own.
type osUser struct {
	name     string
	uid, gid int
}

// serverUser returns the account to run PostgreSQL as: nil (ourselves)
// unless we are root, which PostgreSQL refuses; then the postgres user.
func serverUser() (*osUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(serverOSUser)
	if err != nil {
		return nil, fmt.Errorf("embedded postgres: running as root and PostgreSQL refuses root, but there is no %q user to run it as (%v): apt-get install -y postgresql creates it", serverOSUser, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("embedded postgres: user %q: %w", serverOSUser, err)
	}
	return &osUser{name: serverOSUser, uid: uid, gid: gid}, nil
}

func credAttr(u *osUser) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{}
	if u != nil {
		a.Credential = &syscall.Credential{Uid: uint32(u.uid), Gid: uint32(u.gid), NoSetGroups: true}
	}
	return a
}

// serverProcAttr runs the server as u, in its own process group (so a
// Ctrl-C in the terminal reaches only us, and we shut it down in order),
// and has the kernel send it SIGINT (fast shutdown) if we die first.
func serverProcAttr(u *osUser) *syscall.SysProcAttr {
	a := credAttr(u)
	a.Setpgid = true
	a.Pdeathsig = syscall.SIGINT
	return a
}

// lockThread pins the calling goroutine to its OS thread for good; see
// startServer.
func lockThread() { runtime.LockOSThread() }

// reachable reports whether u may traverse the folder described by st.
func reachable(st fs.FileInfo, u *osUser) bool {
	perm := st.Mode().Perm()
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		if int(s.Uid) == u.uid {
			return perm&0o100 != 0
		}
		if int(s.Gid) == u.gid {
			return perm&0o010 != 0
		}
	}
	return perm&0o001 != 0
}

// processAlive reports whether a process with this pid exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
