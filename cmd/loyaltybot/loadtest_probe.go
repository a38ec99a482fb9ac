package main

import (
	"fmt"
	"io"
	"net"
	"syscall"
	"time"
)

// machineProbe is what the chat load's figures owe to the machine rather
// than to the code: the load is loopback HTTP and PostgreSQL round trips,
// so a VM whose system calls and context switches are dear runs it
// slower whatever the build (on 2026-12-05 the same build did 1,900
// updates/s on one VM and 600 on another). Each run prints it, so that
// runs on different machines can be told apart.
type machineProbe struct {
	Syscall   time.Duration // one getppid(2)
	RoundTrip time.Duration // one byte to a goroutine and back over loopback TCP
}

func (p machineProbe) String() string {
	return fmt.Sprintf("a system call %.2f µs, a loopback TCP round trip between two goroutines %.1f µs",
		float64(p.Syscall)/float64(time.Microsecond), float64(p.RoundTrip)/float64(time.Microsecond))
}

// probeMachine measures the probe, on an idle machine (before the run's
// PostgreSQL starts): a few hundred milliseconds.
func probeMachine() (machineProbe, error) {
	var p machineProbe
	const calls = 200_000
	start := time.Now()
	for range calls {
		syscall.Getppid()
	}
	p.Syscall = time.Since(start) / calls

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return p, err
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		// A read and a write a byte, as the bot and PostgreSQL do theirs
		// (io.Copy would splice inside the kernel).
		buf := make([]byte, 1)
		for {
			if _, err := c.Read(buf); err != nil {
				return // the prober hung up
			}
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return p, err
	}
	defer c.Close()
	b := []byte{1}
	trip := func() error {
		if _, err := c.Write(b); err != nil {
			return err
		}
		_, err := io.ReadFull(c, b)
		return err
	}
	const warm, trips = 200, 3000
	for range warm {
		if err := trip(); err != nil {
			return p, err
		}
	}
	start = time.Now()
	for range trips {
		if err := trip(); err != nil {
			return p, err
		}
	}
	p.RoundTrip = time.Since(start) / trips
	return p, nil
}
