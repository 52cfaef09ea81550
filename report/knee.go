package report

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// FileCapacity is the evidence file of `refreshstorm capacity`; its
// presence in a results directory adds the knee charts to report.html.
const FileCapacity = "capacity.json"

// kneeStep is one capacity step as the knee charts read it from
// capacity.json (which the capacity command writes).
type kneeStep struct {
	Rate         float64 `json:"rate"`
	Achieved     float64 `json:"achieved"`
	P99          float64 `json:"p99"`
	P99Corrected float64 `json:"p99_corrected"`
	RacePer1000  float64 `json:"race_logouts_per_1000"`
	Pass         bool    `json:"pass"`
}

// knee is the knee charts' data: one point per step, by requested rate.
type knee struct {
	Requested    []float64 `json:"requested"`
	Achieved     []float64 `json:"achieved"`
	P99          []float64 `json:"p99"`
	P99Corrected []float64 `json:"p99_corrected"`
	RacePer1000  []float64 `json:"race_per_1000"`
	Pass         []bool    `json:"pass"`
	Sustainable  float64   `json:"sustainable"`
}

// readKnee reads capacity.json of dir; nil when the directory holds none.
func readKnee(dir string) (*knee, error) {
	b, err := os.ReadFile(filepath.Join(dir, FileCapacity))
	if dir == "" || errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c struct {
		Sustainable float64    `json:"sustainable_rate"`
		Steps       []kneeStep `json:"steps"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	if len(c.Steps) == 0 {
		return nil, nil
	}
	// uPlot wants its x values ascending; the bisection visits rates out
	// of order.
	sort.SliceStable(c.Steps, func(i, j int) bool { return c.Steps[i].Rate < c.Steps[j].Rate })
	k := &knee{Sustainable: c.Sustainable}
	for _, s := range c.Steps {
		k.Requested = append(k.Requested, s.Rate)
		k.Achieved = append(k.Achieved, s.Achieved)
		k.P99 = append(k.P99, s.P99)
		k.P99Corrected = append(k.P99Corrected, s.P99Corrected)
		k.RacePer1000 = append(k.RacePer1000, s.RacePer1000)
		k.Pass = append(k.Pass, s.Pass)
	}
	return k, nil
}
