// Package oracle judges refresh responses: given what a virtual session knew,
// the declared rotation policy and what the server answered, it names the
// outcome. It is pure: no I/O, no clocks, no shared state.
package oracle
