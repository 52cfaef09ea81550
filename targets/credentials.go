package targets

import (
	"encoding/csv"
	"errors"
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
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	var creds []Credential
	seen := make(map[string]int)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d: %v", name, pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(rec) != 2 {
			return nil, fmt.Errorf("%s:%d: want 2 fields identifier,password; got %d", name, line, len(rec))
		}
		id, pw := strings.TrimSpace(rec[0]), rec[1]
		if len(creds) == 0 && len(seen) == 0 && strings.EqualFold(id, "identifier") && strings.EqualFold(strings.TrimSpace(pw), "password") {
			seen[""] = line // header consumed
			continue
		}
		if id == "" {
			return nil, fmt.Errorf("%s:%d: empty identifier", name, line)
		}
		if pw == "" {
			return nil, fmt.Errorf("%s:%d: empty password for %q", name, line, id)
		}
		if first, dup := seen[id]; dup {
			return nil, fmt.Errorf("%s:%d: identifier %q repeats line %d", name, line, id, first)
		}
		seen[id] = line
		creds = append(creds, Credential{Identifier: id, Password: pw})
	}
	if len(creds) == 0 {
		return nil, fmt.Errorf("%s: no credentials (want lines identifier,password)", name)
	}
	return creds, nil
}

// Shard returns the i-th of n disjoint slices of creds (0-based i), dealt
// round-robin so each shard gets a similar number.
func Shard(creds []Credential, i, n int) []Credential {
	if n <= 1 {
		return creds
	}
	var out []Credential
	for k := i; k < len(creds); k += n {
		out = append(out, creds[k])
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
