package attack

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ShapeKind is how a stage's requested rate moves over its duration.
type ShapeKind uint8

const (
	ShapeConstant ShapeKind = iota // R
	ShapeRamp                      // A->B, linear
	ShapeStep                      // step(A,B,N): N equal plateaus from A to B
	ShapeSine                      // sine(BASE,AMP,PERIOD)
)

// Shape is a stage's rate as a function of the time into the stage.
type Shape struct {
	Kind   ShapeKind
	From   float64 // constant rate, ramp/step start, sine base
	To     float64 // ramp/step end
	Steps  int     // step plateaus
	Amp    float64 // sine amplitude
	Period time.Duration
}

// Stage is one part of a run's load plan.
type Stage struct {
	Name     string
	Duration time.Duration
	Shape    Shape
	Warmup   bool   // measured and reported, left out of the verdict
	Chaos    string // chaos mix of this stage; "" = the run's
	// Thresholds are extra expressions scoped to this stage (written
	// without the stage.NAME. prefix).
	Thresholds []string
}

// RateAt is the requested rate t into the stage.
func (s Shape) RateAt(t, d time.Duration) float64 {
	switch s.Kind {
	case ShapeRamp:
		if d <= 0 {
			return s.To
		}
		return s.From + (s.To-s.From)*t.Seconds()/d.Seconds()
	case ShapeStep:
		n := max(s.Steps, 1)
		i := min(int(float64(n)*t.Seconds()/d.Seconds()), n-1)
		if n == 1 {
			return s.From
		}
		return s.From + (s.To-s.From)*float64(i)/float64(n-1)
	case ShapeSine:
		return max(0, s.From+s.Amp*math.Sin(2*math.Pi*t.Seconds()/s.Period.Seconds()))
	}
	return s.From
}

// hitsBy is the integral of the rate over [0, t] of a stage lasting d:
// how many hits the stage has asked for by t.
func (s Shape) hitsBy(t, d time.Duration) float64 {
	x := t.Seconds()
	switch s.Kind {
	case ShapeRamp:
		if d <= 0 {
			return 0
		}
		return s.From*x + (s.To-s.From)*x*x/(2*d.Seconds())
	case ShapeStep:
		n := max(s.Steps, 1)
		w := d.Seconds() / float64(n)
		sum := 0.0
		for i := 0; i < n && float64(i)*w < x; i++ {
			part := min(w, x-float64(i)*w)
			sum += part * s.RateAt(time.Duration((float64(i)+0.5)*w*float64(time.Second)), d)
		}
		return sum
	case ShapeSine:
		// The shape is clamped at 0; integrate numerically when it dips below.
		if s.Amp > s.From {
			const n = 2000
			h := x / n
			sum := 0.0
			for i := 0; i < n; i++ {
				sum += h * s.RateAt(time.Duration((float64(i)+0.5)*h*float64(time.Second)), d)
			}
			return sum
		}
		w := 2 * math.Pi / s.Period.Seconds()
		return s.From*x + s.Amp*(1-math.Cos(w*x))/w
	}
	return s.From * x
}

// String renders the shape in the stages grammar.
func (s Shape) String() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	switch s.Kind {
	case ShapeRamp:
		return f(s.From) + "->" + f(s.To)
	case ShapeStep:
		return fmt.Sprintf("step(%s,%s,%d)", f(s.From), f(s.To), s.Steps)
	case ShapeSine:
		return fmt.Sprintf("sine(%s,%s,%s)", f(s.From), f(s.Amp), s.Period)
	}
	return f(s.From)
}

// ParseStages reads the --stages grammar: stages joined by ',', each
//
//	[NAME=]DURATION:SHAPE[:warmup]
//
// with SHAPE one of R (constant), A->B (linear ramp), step(A,B,N) and
// sine(BASE,AMP,PERIOD). Unnamed stages are named by position: 1, 2, …
func ParseStages(spec string) ([]Stage, error) {
	parts := splitTop(spec)
	if len(parts) == 0 {
		return nil, fmt.Errorf("stages %q: empty; want e.g. 30s:0->500,2m:500", spec)
	}
	out := make([]Stage, 0, len(parts))
	for i, part := range parts {
		st, err := parseStage(strings.TrimSpace(part), i+1)
		if err != nil {
			return nil, fmt.Errorf("stages: stage %d %q: %w", i+1, part, err)
		}
		out = append(out, st)
	}
	return out, CheckStages(out)
}

// CheckStages validates stages however they were written (flag or YAML).
func CheckStages(stages []Stage) error {
	seen := map[string]bool{}
	for i, st := range stages {
		if st.Name == "" {
			stages[i].Name = strconv.Itoa(i + 1)
			st.Name = stages[i].Name
		}
		if !validStageName(st.Name) {
			return fmt.Errorf("stage %d: name %q: use letters, digits, '_' and '-'", i+1, st.Name)
		}
		if seen[st.Name] {
			return fmt.Errorf("stage %d: name %q used twice", i+1, st.Name)
		}
		seen[st.Name] = true
		if st.Duration <= 0 {
			return fmt.Errorf("stage %s: duration %s: want a positive duration", st.Name, st.Duration)
		}
		sh := st.Shape
		if sh.From < 0 || sh.To < 0 || sh.Amp < 0 || isBadRate(sh.From) || isBadRate(sh.To) || isBadRate(sh.Amp) {
			return fmt.Errorf("stage %s: shape %s: rates must be finite and not negative", st.Name, sh)
		}
		if sh.Kind == ShapeSine && sh.Period <= 0 {
			return fmt.Errorf("stage %s: sine period must be positive", st.Name)
		}
		if sh.Kind == ShapeStep && sh.Steps < 1 {
			return fmt.Errorf("stage %s: step count must be at least 1", st.Name)
		}
	}
	return nil
}

func isBadRate(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

func validStageName(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return s != ""
}

// splitTop splits at commas outside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, from := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[from:i])
				from = i + 1
			}
		}
	}
	if rest := strings.TrimSpace(s[from:]); rest != "" || len(out) > 0 {
		out = append(out, s[from:])
	}
	return out
}

func parseStage(s string, _ int) (Stage, error) {
	var st Stage
	if name, rest, ok := strings.Cut(s, "="); ok && !strings.ContainsAny(name, ":(") {
		st.Name, s = strings.TrimSpace(name), rest
	}
	durText, rest, ok := strings.Cut(s, ":")
	if !ok {
		return st, fmt.Errorf("want DURATION:SHAPE, e.g. 30s:0->500")
	}
	d, err := time.ParseDuration(strings.TrimSpace(durText))
	if err != nil {
		return st, fmt.Errorf("bad duration %q", durText)
	}
	st.Duration = d
	if shape, opt, ok := strings.Cut(rest, ":"); ok && !strings.Contains(opt, ")") {
		if strings.TrimSpace(opt) != "warmup" {
			return st, fmt.Errorf("unknown option %q (want warmup)", opt)
		}
		st.Warmup, rest = true, shape
	}
	st.Shape, err = ParseShape(strings.TrimSpace(rest))
	return st, err
}

// ParseShape reads one rate shape: R, A->B, step(A,B,N) or sine(BASE,AMP,PERIOD).
func ParseShape(s string) (Shape, error) {
	num := func(v string) (float64, error) {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return 0, fmt.Errorf("bad rate %q", v)
		}
		return f, nil
	}
	args := func(prefix string, n int) ([]string, error) {
		inner, ok := strings.CutSuffix(strings.TrimPrefix(s, prefix+"("), ")")
		a := strings.Split(inner, ",")
		if !ok || len(a) != n {
			return nil, fmt.Errorf("want %s(%d arguments)", prefix, n)
		}
		return a, nil
	}
	var sh Shape
	var err error
	switch {
	case strings.HasPrefix(s, "sine("):
		a, err := args("sine", 3)
		if err != nil {
			return sh, fmt.Errorf("%w: sine(BASE,AMP,PERIOD)", err)
		}
		sh.Kind = ShapeSine
		if sh.From, err = num(a[0]); err != nil {
			return sh, err
		}
		if sh.Amp, err = num(a[1]); err != nil {
			return sh, err
		}
		if sh.Period, err = time.ParseDuration(strings.TrimSpace(a[2])); err != nil {
			return sh, fmt.Errorf("bad sine period %q", a[2])
		}
		return sh, nil
	case strings.HasPrefix(s, "step("):
		a, err := args("step", 3)
		if err != nil {
			return sh, fmt.Errorf("%w: step(FROM,TO,STEPS)", err)
		}
		sh.Kind = ShapeStep
		if sh.From, err = num(a[0]); err != nil {
			return sh, err
		}
		if sh.To, err = num(a[1]); err != nil {
			return sh, err
		}
		if sh.Steps, err = strconv.Atoi(strings.TrimSpace(a[2])); err != nil {
			return sh, fmt.Errorf("bad step count %q", a[2])
		}
		return sh, nil
	case strings.Contains(s, "->"):
		a, b, _ := strings.Cut(s, "->")
		sh.Kind = ShapeRamp
		if sh.From, err = num(a); err != nil {
			return sh, err
		}
		sh.To, err = num(b)
		return sh, err
	}
	if s == "" {
		return sh, fmt.Errorf("missing shape after the duration")
	}
	sh.From, err = num(s)
	sh.To = sh.From
	return sh, err
}
