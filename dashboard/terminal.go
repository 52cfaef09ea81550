package dashboard

import (
	"os"

	"golang.org/x/term"
)

// Usable reports whether the live view can run on in and out, and when not,
// why, in words for the user. Both must be terminals, and this process must
// be in the terminal's foreground process group: a process started by
// timeout(1), which puts its child in a process group of its own, would
// be stopped (SIGTTIN/SIGTTOU) as soon as it read keys or set the terminal
// mode, and would draw nothing.
func Usable(in, out *os.File) (ok bool, why string) {
	switch {
	case !isTerminal(out):
		return false, "output is not a terminal"
	case !isTerminal(in):
		return false, "input is not a terminal"
	}
	if fg, known := foreground(in); known && !fg {
		return false, "not in the terminal's foreground process group (under timeout(1)? use timeout --foreground)"
	}
	return true, ""
}

// isTerminal reports whether w is a file open on a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}
