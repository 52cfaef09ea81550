//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package dashboard

import (
	"os"

	"golang.org/x/sys/unix"
)

// foreground reports whether this process's group is the foreground
// process group of the terminal f; known is false when it cannot tell.
func foreground(f *os.File) (fg, known bool) {
	pgrp, err := unix.IoctlGetInt(int(f.Fd()), unix.TIOCGPGRP)
	if err != nil {
		return false, false
	}
	return pgrp == unix.Getpgrp(), true
}
