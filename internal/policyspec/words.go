package policyspec

import "strings"

// Words are the grammar's parts as a shell completes them: first the first
// part's choices, then for every later part each key=value with a closed
// set of values and the stem (key=) of each key with an open one. For a
// declared (client) policy, the presets and the parts that describe a
// server's own bugs or limits are left out. Derived from the tables, so a
// new knob, defect or preset completes without more code.
func Words(server bool) (first, rest []string) {
	first = []string{"strict", "grace="}
	if server {
		for _, pr := range Presets {
			first = append(first, pr.Name)
		}
	}
	for _, p := range parts {
		for _, w := range partWords(p.key) {
			if server || declarable(w) {
				rest = append(rest, w)
			}
		}
	}
	return first, rest
}

func partWords(key string) []string {
	var values []string
	switch key {
	case "dup":
		values = dupNames[:]
	case "reuse":
		values = []string{"revoke-family", "reject"}
	case "defect":
		for _, dn := range defectNames {
			values = append(values, dn.name)
		}
	case "rotate":
		values = rotateNames[:]
	case "parent":
		values = parentNames[:]
	case "access":
		values = accessNames[1:] // [0] is the profile's default, not a word
	default:
		return []string{key + "="}
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = key + "=" + v
	}
	return out
}

// declarable says whether a client may declare the word: some sample of
// it parses and describes no server-only behaviour.
func declarable(word string) bool {
	candidates := []string{word}
	if strings.HasSuffix(word, "=") {
		candidates = []string{word + "1s", word + "1"}
	}
	for _, c := range candidates {
		if s, err := Parse("grace=1s," + c); err == nil && s.ServerOnly() == "" {
			return true
		}
	}
	return false
}
