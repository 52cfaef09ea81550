package results

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzShardFile fuzzes one file of the second of two shards and runs
// every step of Merge that reads and combines its inputs: it must never
// panic, and a refused input gives a one-line, bounded error. (Writing
// the merged directory is left out: its fsyncs would make each input
// cost a disk flush. TestMergeRefusesDamagedAndIncompleteInputs covers
// that nothing is written after a refusal.)
func fuzzShardFile(f *testing.F, name string, seeds ...string) {
	base := f.TempDir()
	obs := genObservations(rand.New(rand.NewPCG(5, 6)), testStart, 40, 2)
	one, two := filepath.Join(base, "one"), filepath.Join(base, "two")
	writeRun(f, one, testStart, append([]Observation(nil), obs...), shardMeta("scn", "1/2"), nil)
	writeRun(f, two, testStart, append([]Observation(nil), obs...), shardMeta("scn", "2/2"), nil)
	target := filepath.Join(two, name)
	valid, err := os.ReadFile(target)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	// A worker runs one input at a time, so the shard is rewritten in place.
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(target, data, 0o644); err != nil {
			t.Fatal(err)
		}
		err := dryMerge([]string{one, two})
		if err == nil {
			return
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\n\r") || len(msg) > 1000 {
			t.Fatalf("error of %d bytes or several lines: %.300q", len(msg), msg)
		}
	})
}

// dryMerge is Merge up to the point where it writes.
func dryMerge(dirs []string) error {
	inputs, err := loadMergeInputs(dirs)
	if err != nil {
		return err
	}
	if err := checkSpread(inputs); err != nil {
		return err
	}
	if _, err := checkShardSet(inputs, false); err != nil {
		return err
	}
	for _, in := range inputs {
		if err := checkStreams(in); err != nil {
			return err
		}
	}
	s, err := mergeSummaries(inputs)
	if err != nil {
		return err
	}
	ths, err := mergedThresholds(inputs)
	if err != nil {
		return err
	}
	Evaluate(s, ths)
	_ = mergeTimelines(inputs, nil)
	return nil
}

func FuzzMergeSummary(f *testing.F) {
	fuzzShardFile(f, FileSummaryJSON, `{"schema":"`+SchemaSummary+`"}`, `{"schema":1}`, `[]`, `{"schema":"`+SchemaSummary+`","latency":null,"histograms":{}}`)
}

func FuzzMergeHistograms(f *testing.F) {
	fuzzShardFile(f, FileHistograms, `{}`, `{"load":null}`, `{"load":{"raw":"AAAA"}}`, `null`)
}

func FuzzMergeTimeline(f *testing.F) {
	fuzzShardFile(f, FileTimeline, "second\n", "second,rps\n1,x\n", "\"a\nb\"\n", "")
}

func FuzzMergeEvents(f *testing.F) {
	fuzzShardFile(f, FileEvents, eventsHeader, eventsHeader+"1,2\n", eventsHeader+"\"unterminated\n", "")
}

func FuzzMergeHlog(f *testing.F) {
	fuzzShardFile(f, FileHlog, "#[StartTime: 0]\n", "0.0,1.0,2.0,HISTFAAA\n", "Tag=a,0,1,2,x\n", "")
}

func FuzzMergeResults(f *testing.F) {
	fuzzShardFile(f, FileResultsBin, "", "\x00\x01\x02", strings.Repeat("\xff", 64))
}
