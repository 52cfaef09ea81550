package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// OutcomeCounts counts requests per outcome. In JSON it is an object with
// every outcome name, in declaration order, zeros included.
type OutcomeCounts [oracle.NumOutcomes]uint64

// Failures sums every fail_* outcome.
func (c *OutcomeCounts) Failures() uint64 {
	var n uint64
	for o, k := range c {
		if oracle.Outcome(o).IsFailure() {
			n += k
		}
	}
	return n
}

// FamilyCounts counts families per end state; every state is present in JSON.
type FamilyCounts [oracle.NumFamilyStates]uint64

// KindCounts counts requests per kind; every kind is present in JSON.
type KindCounts [NumKinds]uint64

func (c OutcomeCounts) MarshalJSON() ([]byte, error) {
	return marshalOrdered(c[:], func(i int) string { return oracle.Outcome(i).String() })
}

func (c *OutcomeCounts) UnmarshalJSON(b []byte) error {
	return unmarshalOrdered(b, "outcome", c[:], func(name string) (int, bool) {
		o, ok := oracle.ParseOutcome(name)
		return int(o), ok
	})
}

func (c FamilyCounts) MarshalJSON() ([]byte, error) {
	return marshalOrdered(c[:], func(i int) string { return oracle.FamilyState(i).String() })
}

func (c *FamilyCounts) UnmarshalJSON(b []byte) error {
	return unmarshalOrdered(b, "family state", c[:], func(name string) (int, bool) {
		s, ok := oracle.ParseFamilyState(name)
		return int(s), ok
	})
}

func (c KindCounts) MarshalJSON() ([]byte, error) {
	return marshalOrdered(c[:], func(i int) string { return Kind(i).String() })
}

func (c *KindCounts) UnmarshalJSON(b []byte) error {
	return unmarshalOrdered(b, "request kind", c[:], func(name string) (int, bool) {
		k, ok := ParseKind(name)
		return int(k), ok
	})
}

// Sum adds every count.
func (c *OutcomeCounts) Sum() uint64 { return sum(c[:]) }

// Sum adds every count.
func (c *FamilyCounts) Sum() uint64 { return sum(c[:]) }

// Sum adds every count.
func (c *KindCounts) Sum() uint64 { return sum(c[:]) }

func sum(v []uint64) uint64 {
	var n uint64
	for _, c := range v {
		n += c
	}
	return n
}

func marshalOrdered(v []uint64, name func(int) string) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, c := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(name(i)))
		b.WriteByte(':')
		b.WriteString(strconv.FormatUint(c, 10))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// unmarshalOrdered reads an object of name -> count. Unknown names are an
// error: dropping them would make merged numbers silently wrong.
func unmarshalOrdered(b []byte, what string, dst []uint64, index func(string) (int, bool)) error {
	var m map[string]uint64
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	clear(dst)
	for name, c := range m {
		i, ok := index(name)
		if !ok {
			return fmt.Errorf("unknown %s %q", what, name)
		}
		dst[i] = c
	}
	return nil
}
