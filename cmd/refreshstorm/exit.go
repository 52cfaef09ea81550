package main

import (
	"errors"
	"fmt"
)

// Exit codes. They are part of the CLI contract.
const (
	exitPass        = 0
	exitFailed      = 1
	exitUsage       = 2
	exitCannotRun   = 3
	exitInterrupted = 130
)

// codedError carries the process exit code with the error that caused it.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// withCode attaches an exit code to err; nil stays nil.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: code, err: err}
}

// usageError is a bad flag, argument or configuration: exit 2.
func usageError(format string, args ...any) error {
	return &codedError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// exitCodeOf maps an error returned by a command to the process exit code.
// Errors without a code are cobra's own flag and argument errors: usage.
func exitCodeOf(err error) int {
	if err == nil {
		return exitPass
	}
	var ce *codedError
	if errors.As(err, &ce) {
		return ce.code
	}
	return exitUsage
}
