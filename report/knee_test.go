package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// report.html charts race logouts per second always, and the knee only
// for a directory with capacity.json, its steps in rate order.
func TestHTMLRaceChartAndKnee(t *testing.T) {
	s := summary(t, false, time.Millisecond)
	dir := t.TempDir()
	var plain strings.Builder
	if err := WriteHTML(&plain, dir, s, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plain.String(), `id="chart-race"`) || !strings.Contains(plain.String(), `"race_per_1000_per_second":[`) {
		t.Error("report.html lacks the race logouts chart or its data")
	}
	if strings.Contains(plain.String(), `id="chart-knee-rate"`) {
		t.Error("knee charts without capacity.json")
	}
	capJSON := `{"schema":"refreshstorm/capacity/v1","sustainable_rate":120,"steps":[
	 {"rate":150,"achieved":131,"p99":80,"p99_corrected":300,"race_logouts_per_1000":2,"pass":false},
	 {"rate":100,"achieved":100,"p99":5,"p99_corrected":6,"race_logouts_per_1000":0,"pass":true},
	 {"rate":120,"achieved":119.5,"p99":9,"p99_corrected":12,"race_logouts_per_1000":0,"pass":true}]}`
	if err := os.WriteFile(filepath.Join(dir, FileCapacity), []byte(capJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	var withKnee strings.Builder
	if err := WriteHTML(&withKnee, dir, s, nil); err != nil {
		t.Fatal(err)
	}
	html := withKnee.String()
	for _, want := range []string{`id="chart-knee-rate"`, `id="chart-knee-latency"`, `id="chart-knee-race"`,
		`"requested":[100,120,150]`, `"achieved":[100,119.5,131]`, `sustainable: <strong>120/s</strong>`} {
		if !strings.Contains(html, want) {
			t.Errorf("report.html lacks %s", want)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, FileCapacity), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&strings.Builder{}, dir, s, nil); err == nil || !strings.Contains(err.Error(), FileCapacity) {
		t.Errorf("a broken capacity.json: %v", err)
	}
}
