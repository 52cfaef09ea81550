package results

import (
	"encoding/json"
	"fmt"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// SchemaHistograms versions histograms.json.
const SchemaHistograms = "refreshstorm/histograms/v1"

// HistPair is a raw and a coordinated-omission corrected histogram of the
// same requests. Values are nanoseconds.
type HistPair struct {
	Raw, Corrected *hdr.Histogram
}

// Histograms are the run's raw HDR histograms. Nil entries are empty.
type Histograms struct {
	Load      HistPair // refresh + duplicate + replay
	ByKind    [NumKinds]HistPair
	ByOutcome [oracle.NumOutcomes]HistPair
	// Stages are the load histograms of each stage, by index (the
	// summary's stages name them), so that merge keeps stages exact.
	Stages []HistPair
}

// newHistPair allocates both histograms.
func newHistPair() HistPair {
	return HistPair{Raw: newLatencyHist(), Corrected: newLatencyHist()}
}

func (p HistPair) empty() bool { return p.Raw == nil || p.Raw.TotalCount() == 0 }

// clone copies both histograms (nil stays nil).
func (p HistPair) clone() HistPair {
	var c HistPair
	if p.Raw != nil {
		c.Raw = p.Raw.Clone()
	}
	if p.Corrected != nil {
		c.Corrected = p.Corrected.Clone()
	}
	return c
}

// mergeInto adds p into dst, allocating dst's histograms when needed.
// It reports values that could not be merged.
func (p HistPair) mergeInto(dst *HistPair) int64 {
	var dropped int64
	if p.Raw != nil {
		if dst.Raw == nil {
			dst.Raw = newLatencyHist()
		}
		dropped += dst.Raw.Merge(p.Raw)
	}
	if p.Corrected != nil {
		if dst.Corrected == nil {
			dst.Corrected = newLatencyHist()
		}
		dropped += dst.Corrected.Merge(p.Corrected)
	}
	return dropped
}

// Merge adds o into h losslessly (same geometry).
func (h *Histograms) Merge(o *Histograms) error {
	var dropped int64
	dropped += o.Load.mergeInto(&h.Load)
	for k := range o.ByKind {
		dropped += o.ByKind[k].mergeInto(&h.ByKind[k])
	}
	for i := range o.ByOutcome {
		dropped += o.ByOutcome[i].mergeInto(&h.ByOutcome[i])
	}
	for len(h.Stages) < len(o.Stages) {
		h.Stages = append(h.Stages, HistPair{})
	}
	for i := range o.Stages {
		dropped += o.Stages[i].mergeInto(&h.Stages[i])
	}
	if dropped > 0 {
		return fmt.Errorf("%d latency values were out of the histogram range", dropped)
	}
	return nil
}

// histogramsJSON is histograms.json: each histogram in HdrHistogram's V2
// compressed base64 form, the same encoding latency.hlog uses.
type histogramsJSON struct {
	Schema    string              `json:"schema"`
	Unit      string              `json:"unit"`
	Load      pairJSON            `json:"load"`
	ByKind    map[string]pairJSON `json:"by_kind"`
	ByOutcome map[string]pairJSON `json:"by_outcome"`
	Stages    []pairJSON          `json:"stages,omitempty"`
}

type pairJSON struct {
	Raw       string `json:"raw,omitempty"`
	Corrected string `json:"corrected,omitempty"`
}

func encodeHist(h *hdr.Histogram) (string, error) {
	if h == nil || h.TotalCount() == 0 {
		return "", nil
	}
	b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
	return string(b), err
}

func decodeHist(s string) (*hdr.Histogram, error) {
	if s == "" {
		return nil, nil
	}
	h, err := hdr.Decode([]byte(s))
	if err != nil {
		return nil, err
	}
	if h.LowestTrackableValue() != histLowest || h.HighestTrackableValue() != histHighest || h.SignificantFigures() != histDigits {
		return nil, fmt.Errorf("histogram geometry %d..%d/%d digits, want %d..%d/%d",
			h.LowestTrackableValue(), h.HighestTrackableValue(), h.SignificantFigures(), histLowest, histHighest, histDigits)
	}
	return h, nil
}

func (p HistPair) encode() (pairJSON, error) {
	var j pairJSON
	var err error
	if j.Raw, err = encodeHist(p.Raw); err != nil {
		return j, err
	}
	j.Corrected, err = encodeHist(p.Corrected)
	return j, err
}

func (j pairJSON) decode(what string) (HistPair, error) {
	var p HistPair
	var err error
	if p.Raw, err = decodeHist(j.Raw); err != nil {
		return p, fmt.Errorf("%s raw: %w", what, err)
	}
	if p.Corrected, err = decodeHist(j.Corrected); err != nil {
		return p, fmt.Errorf("%s corrected: %w", what, err)
	}
	return p, nil
}

func (h *Histograms) MarshalJSON() ([]byte, error) {
	j := histogramsJSON{Schema: SchemaHistograms, Unit: "ns", ByKind: map[string]pairJSON{}, ByOutcome: map[string]pairJSON{}}
	var err error
	if j.Load, err = h.Load.encode(); err != nil {
		return nil, err
	}
	for k, p := range h.ByKind {
		if p.empty() {
			continue
		}
		if j.ByKind[Kind(k).String()], err = p.encode(); err != nil {
			return nil, err
		}
	}
	for o, p := range h.ByOutcome {
		if p.empty() {
			continue
		}
		if j.ByOutcome[oracle.Outcome(o).String()], err = p.encode(); err != nil {
			return nil, err
		}
	}
	for _, p := range h.Stages {
		pj, err := p.encode()
		if err != nil {
			return nil, err
		}
		j.Stages = append(j.Stages, pj)
	}
	return json.Marshal(j)
}

func (h *Histograms) UnmarshalJSON(b []byte) error {
	var j histogramsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.Schema != SchemaHistograms {
		return fmt.Errorf("schema %q is not supported (want %q)", j.Schema, SchemaHistograms)
	}
	if j.Unit != "ns" {
		return fmt.Errorf("unit %q is not supported (want \"ns\")", j.Unit)
	}
	*h = Histograms{}
	var err error
	if h.Load, err = j.Load.decode("load"); err != nil {
		return err
	}
	for name, p := range j.ByKind {
		k, ok := ParseKind(name)
		if !ok {
			return fmt.Errorf("unknown request kind %q", name)
		}
		if h.ByKind[k], err = p.decode(name); err != nil {
			return err
		}
	}
	for name, p := range j.ByOutcome {
		o, ok := oracle.ParseOutcome(name)
		if !ok {
			return fmt.Errorf("unknown outcome %q", name)
		}
		if h.ByOutcome[o], err = p.decode(name); err != nil {
			return err
		}
	}
	for i, p := range j.Stages {
		hp, err := p.decode(fmt.Sprintf("stage %d", i+1))
		if err != nil {
			return err
		}
		h.Stages = append(h.Stages, hp)
	}
	return nil
}
