package policyspec

// Words are the grammar's parts as a shell completes them: the first
// part's choices, then every key=value with a closed set of values and
// the stem of every key with an open one. Derived from the tables, so a
// new knob or defect completes without more code.
func Words() (first, rest []string) {
	first = []string{"strict", "grace="}
	for _, p := range parts {
		switch p.key {
		case "dup":
			for _, n := range dupNames {
				rest = append(rest, "dup="+n)
			}
		case "reuse":
			rest = append(rest, "reuse=revoke-family", "reuse=reject")
		case "defect":
			for _, dn := range defectNames {
				rest = append(rest, "defect="+dn.name)
			}
		default:
			rest = append(rest, p.key+"=")
		}
	}
	return first, rest
}
