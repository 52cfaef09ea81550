package targets

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Credential is one user the harness may sign in as.
type Credential struct {
	Identifier string
	Password   string
}

// LoadCredentials reads a CSV file of `identifier,password` lines. A first
// line `identifier,password` is a header and skipped. Errors name the file
// and line.
func LoadCredentials(path string) ([]Credential, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("credentials file: %w", err)
	}
	defer f.Close()
	return ParseCredentials(f, path)
}

// ParseCredentials reads credentials from r; name is used in errors.
func ParseCredentials(r io.Reader, name string) ([]Credential, error) {
	var creds []Credential
	seen := make(map[string]int)
	err := eachRecord(r, name, func(line int, rec []string, first bool) error {
		if len(rec) != 2 {
			return fmt.Errorf("%s:%d: want 2 fields identifier,password; got %d", name, line, len(rec))
		}
		id, pw := strings.TrimSpace(rec[0]), rec[1]
		switch {
		case first && strings.EqualFold(id, "identifier") && strings.EqualFold(strings.TrimSpace(pw), "password"):
			return nil // header
		case id == "":
			return fmt.Errorf("%s:%d: empty identifier", name, line)
		case pw == "":
			return fmt.Errorf("%s:%d: empty password for %.40q", name, line, id)
		}
		if prev, dup := seen[id]; dup {
			return fmt.Errorf("%s:%d: identifier %.40q repeats line %d", name, line, id, prev)
		}
		seen[id] = line
		creds = append(creds, Credential{Identifier: id, Password: pw})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(creds) == 0 {
		return nil, fmt.Errorf("%s: no credentials (want lines identifier,password)", name)
	}
	return creds, nil
}

// Shard returns the i-th of n disjoint slices of items (0-based i), dealt
// round-robin so each shard gets a similar number: users for sign-in,
// imported sessions for --cookies.
func Shard[T any](items []T, i, n int) []T {
	if n <= 1 {
		return items
	}
	var out []T
	for k := i; k < len(items); k += n {
		out = append(out, items[k])
	}
	return out
}

// UsersNeeded is how many distinct users `sessions` sessions need when each
// user may hold `familiesPerUser` families.
func UsersNeeded(sessions, familiesPerUser int) int {
	if familiesPerUser < 1 {
		familiesPerUser = 1
	}
	return (sessions + familiesPerUser - 1) / familiesPerUser
}
