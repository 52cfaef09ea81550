// Package hostile is a test target that speaks the cookie protocol of the
// embedded authserver but misbehaves in one chosen way, and taps every
// secret it issues or receives so tests can prove none of them leaks.
package hostile
