package attack

// ChaosKindNames lists every chaos kind's name in the --chaos grammar, for
// shell completion and help.
func ChaosKindNames() []string {
	out := make([]string, 0, numChaosKinds-1)
	for k := chaosNone + 1; k < numChaosKinds; k++ {
		out = append(out, k.String())
	}
	return out
}
