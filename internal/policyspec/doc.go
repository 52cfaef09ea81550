// Package policyspec parses the rotation-policy grammar, the one language
// shared by --policy (what the oracle expects) and --server-policy (what the
// embedded authserver does). It owns every key, value name and error message
// of that grammar, so the two flags can never drift apart.
package policyspec
