package results

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/refreshstorm/refreshstorm/oracle"
)

// Race logouts land in the second they were decided in, relative to that
// second's refreshes, and survive timeline.csv.
func TestTimelineRaceLogoutsPerSecond(t *testing.T) {
	r := NewRecorder(RecorderOptions{Start: testStart})
	for i := 0; i < 400; i++ { // 200 refreshes in each of seconds 0 and 1
		r.Record(&Observation{Start: testStart.Add(time.Duration(i) * 5 * time.Millisecond), Kind: KindRefresh,
			Outcome: oracle.OKRotated, Latency: time.Millisecond})
	}
	r.StageRaceLogout(0, testStart.Add(1500*time.Millisecond))
	r.StageRaceLogout(0, testStart.Add(1700*time.Millisecond))
	r.StageRaceLogout(0, testStart.Add(9*time.Second)) // decided after the run: its last second
	s := r.Summary(RunMeta{Elapsed: 2 * time.Second})
	if len(s.Timeline) != 2 {
		t.Fatalf("timeline %+v", s.Timeline)
	}
	if p := s.Timeline[0]; p.RaceLogouts != 0 || p.RaceLogoutsPer1000 != 0 {
		t.Errorf("second 0: %+v", p)
	}
	if p := s.Timeline[1]; p.RaceLogouts != 3 || p.RaceLogoutsPer1000 != 15 {
		t.Errorf("second 1: %d race logouts, %v per 1000; want 3 and 15", p.RaceLogouts, p.RaceLogoutsPer1000)
	}
	var buf bytes.Buffer
	if err := writeTimeline(&buf, s.Timeline); err != nil {
		t.Fatal(err)
	}
	if head, _, _ := strings.Cut(buf.String(), "\n"); !strings.HasSuffix(head, ",race_logouts,race_logouts_per_1000") {
		t.Errorf("header %q", head)
	}
	back, err := readTimeline(&buf)
	if err != nil || len(back) != 2 || back[1].RaceLogouts != 3 || back[1].RaceLogoutsPer1000 != 15 {
		t.Errorf("read back %+v, %v", back, err)
	}
	// A file of an older version, without the race columns, still reads.
	old := "second,requests,rate,total,failures,undecided,p50_ms,p99_ms,requested\n0,5,5,5,0,0,1,1,5\n"
	if pts, err := readTimeline(strings.NewReader(old)); err != nil || len(pts) != 1 || pts[0].Requested != 5 {
		t.Errorf("older timeline: %+v, %v", pts, err)
	}
}
