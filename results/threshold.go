package results

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Threshold is one parsed pass/fail condition on the summary,
// e.g. `latency.p99<250ms`, `rate.fail_false_positive_reuse<0.001`,
// `race_logouts==0`.
type Threshold struct {
	Expr   string // as written, without surrounding spaces
	metric metric
	op     op
	limit  float64 // ms for latency metrics
	// Abort ends the run early once the threshold fails (a `!` suffix).
	Abort bool
}

// String returns the expression.
func (t Threshold) String() string { return t.Expr }

// ThresholdError is a threshold expression that does not parse.
type ThresholdError struct {
	Expr   string
	Column int // 1-based byte column of the problem
	Msg    string
}

func (e *ThresholdError) Error() string {
	expr := e.Expr
	if len(expr) > maxQuoted {
		// A huge expression is shown around the error, not whole.
		from := max(0, min(e.Column-1-maxQuoted/2, len(expr)-maxQuoted))
		expr = fmt.Sprintf("…%s… (%d bytes)", expr[from:from+maxQuoted], len(e.Expr))
	}
	msg := e.Msg
	if len(msg) > 2*maxQuoted {
		msg = msg[:2*maxQuoted] + "…"
	}
	return fmt.Sprintf("threshold %q: column %d: %s", expr, e.Column, msg)
}

// maxQuoted bounds how much of the user's text an error repeats.
const maxQuoted = 60

type op uint8

const (
	opLT op = iota
	opLE
	opGT
	opGE
	opEQ
	opNE
)

var opTokens = [...]string{opLT: "<", opLE: "<=", opGT: ">", opGE: ">=", opEQ: "==", opNE: "!="}

func (o op) holds(v, limit float64) bool {
	switch o {
	case opLT:
		return v < limit
	case opLE:
		return v <= limit
	case opGT:
		return v > limit
	case opGE:
		return v >= limit
	case opEQ:
		return v == limit
	default:
		return v != limit
	}
}

// ParseThreshold parses `METRIC OP VALUE`; spaces around OP are allowed.
// Metrics: latency.{p50,p90,p99,p999,max} and latency_corrected.* compared
// with a duration (250ms, 1s, 900us); an outcome name, or several joined by
// '+', compared with a count (aliases: failures = every fail_*, undecided =
// transport_error+timeout); rate.<outcomes> compared with a fraction of all
// classified requests (0.01 or 1%); race_logouts, race_logouts.per_1000,
// requests.total, requests.rate, requests.load, requests.dropped and
// families.<state>. Operators: < <= > >= == !=.
//
// A `!` suffix marks the threshold as aborting: the run ends early once it
// fails (see Threshold.Abort).
func ParseThreshold(expr string) (Threshold, error) {
	body, abort := strings.CutSuffix(strings.TrimRight(expr, " \t"), "!")
	if !abort {
		body = expr // error columns count from the expression as written
	}
	p := thresholdParser{expr: body}
	t, err := p.parse()
	t.Abort = abort
	return t, err
}

// MustParseThreshold is ParseThreshold for expressions known to be valid.
func MustParseThreshold(expr string) Threshold {
	t, err := ParseThreshold(expr)
	if err != nil {
		panic(err)
	}
	return t
}

// ParseThresholds parses every expression, stopping at the first error.
func ParseThresholds(exprs []string) ([]Threshold, error) {
	out := make([]Threshold, 0, len(exprs))
	for _, e := range exprs {
		t, err := ParseThreshold(e)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

type thresholdParser struct {
	expr string
	i    int
}

func (p *thresholdParser) errorf(pos int, format string, args ...any) error {
	return &ThresholdError{Expr: p.expr, Column: pos + 1, Msg: fmt.Sprintf(format, args...)}
}

func (p *thresholdParser) skipSpaces() {
	for p.i < len(p.expr) && (p.expr[p.i] == ' ' || p.expr[p.i] == '\t') {
		p.i++
	}
}

func isMetricByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '+' || c == '-'
}

func (p *thresholdParser) parse() (Threshold, error) {
	var t Threshold
	p.skipSpaces()
	if p.i == len(p.expr) {
		return t, p.errorf(p.i, "empty expression: want METRIC OP VALUE, e.g. latency.p99<250ms")
	}
	mStart := p.i
	for p.i < len(p.expr) && isMetricByte(p.expr[p.i]) {
		p.i++
	}
	name := p.expr[mStart:p.i]
	if name == "" {
		return t, p.errorf(p.i, "expected a metric name, got %q", p.expr[p.i:p.i+1])
	}
	m, err := p.resolveMetric(name, mStart)
	if err != nil {
		return t, err
	}
	t.metric = m

	p.skipSpaces()
	if t.op, err = p.parseOp(name); err != nil {
		return t, err
	}

	p.skipSpaces()
	vStart := p.i
	for p.i < len(p.expr) && p.expr[p.i] != ' ' && p.expr[p.i] != '\t' {
		p.i++
	}
	val := p.expr[vStart:p.i]
	if val == "" {
		return t, p.errorf(vStart, "missing value after %q", opTokens[t.op])
	}
	p.skipSpaces()
	if p.i < len(p.expr) {
		return t, p.errorf(p.i, "unexpected %q after the value", p.expr[p.i:])
	}
	if t.limit, err = parseLimit(m.unit, val); err != nil {
		return t, p.errorf(vStart, "%v", err)
	}
	t.Expr = strings.TrimSpace(p.expr)
	return t, nil
}

func (p *thresholdParser) parseOp(metric string) (op, error) {
	rest := p.expr[p.i:]
	for _, o := range []op{opLE, opGE, opEQ, opNE, opLT, opGT} { // two-byte tokens first
		if strings.HasPrefix(rest, opTokens[o]) {
			p.i += len(opTokens[o])
			return o, nil
		}
	}
	switch {
	case rest == "":
		return 0, p.errorf(p.i, "missing operator after %q (want one of < <= > >= == !=)", metric)
	case rest[0] == '=':
		return 0, p.errorf(p.i, "bad operator \"=\": use == to compare for equality")
	default:
		return 0, p.errorf(p.i, "unexpected %q: want an operator (< <= > >= == !=)", rest[:1])
	}
}

// parseLimit reads the right-hand side for a metric of the given unit.
func parseLimit(u unit, val string) (float64, error) {
	switch u {
	case unitMs:
		d, err := time.ParseDuration(val)
		if err != nil {
			if _, numErr := strconv.ParseFloat(val, 64); numErr == nil && val != "0" {
				return 0, fmt.Errorf("bad duration %q: missing unit, e.g. %sms", val, val)
			}
			return 0, fmt.Errorf("bad duration %q", val)
		}
		if d < 0 {
			return 0, fmt.Errorf("bad duration %q: must not be negative", val)
		}
		return ms(d), nil
	case unitFraction:
		num, pct := strings.CutSuffix(val, "%")
		f, err := strconv.ParseFloat(num, 64)
		if err != nil || f < 0 || isBad(f) {
			return 0, fmt.Errorf("bad fraction %q: want a number like 0.01 or 1%%", val)
		}
		if pct {
			f /= 100
		}
		return f, nil
	default:
		f, err := strconv.ParseFloat(val, 64)
		if err != nil || f < 0 || isBad(f) {
			return 0, fmt.Errorf("bad number %q: want a non-negative number", val)
		}
		return f, nil
	}
}
