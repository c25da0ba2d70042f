// Package display tells whether a window can open on this machine. On Linux and the BSDs,
// Ebiten opens its windows through X11 (under Wayland, through XWayland), so the X display
// that DISPLAY names must accept connections; elsewhere a window can always open.
package display

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// timeout bounds the wait for a display to answer.
const timeout = 2 * time.Second

// Check returns nil if a window can open, or a one-line error saying why not: no display
// named, a DISPLAY that cannot be read, or a display that does not accept connections, such
// as a stale SSH forwarding.
func Check() error {
	switch runtime.GOOS {
	case "linux", "freebsd", "netbsd", "openbsd", "dragonfly", "solaris":
	default:
		return nil
	}
	name := os.Getenv("DISPLAY")
	if name == "" {
		return errors.New("no display to open a window on (DISPLAY is unset); try xvfb-run, or foresight demo")
	}
	network, addr, err := address(name)
	if err != nil {
		return err
	}
	conn, err := net.DialTimeout(network, addr, timeout)
	if err != nil && network == "unix" && runtime.GOOS == "linux" {
		conn, err = net.DialTimeout(network, "@"+addr, timeout) // the abstract socket
	}
	if err != nil {
		return fmt.Errorf("cannot reach the display %q (DISPLAY): nothing answers at %s; is the X server or the SSH forwarding still there?", name, addr)
	}
	conn.Close()
	return nil
}

// address returns where the X server of display name, [host]:number[.screen], listens: its
// Unix socket for a local display, TCP port 6000+number on host otherwise.
func address(name string) (network, addr string, err error) {
	host, rest, ok := strings.Cut(name, ":")
	num, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 0 || n > 60000 || strings.Contains(host, "/") {
		return "", "", fmt.Errorf("DISPLAY %.40q is not a display name such as :0 or localhost:10.0", name)
	}
	if host == "" || host == "unix" {
		return "unix", "/tmp/.X11-unix/X" + num, nil
	}
	return "tcp", net.JoinHostPort(host, strconv.Itoa(6000+n)), nil
}
