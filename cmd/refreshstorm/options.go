package main

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/refreshstorm/refreshstorm/results"
)

// option is one setting of a scenario, declared once. The row names the
// flag and the scenario field; the flag's type and default come from the
// field, the YAML key from the field's tag, and the environment twin
// (REFRESHSTORM_<FLAG>) from the flag's name.
type option struct {
	flag  string // --flag
	field string // path of the scenario field, e.g. "Network.CACerts"
	arg   string // the value's name in --help, e.g. URL; derived from the type when empty
	unset string // what an empty default means, e.g. "embedded server"; shown in --help
	usage string
	bare  string // the value of the flag given without one (--flag alone), if it may be
}

// options are every scenario setting, in the order --help and the README
// list them. A new setting is a scenario field plus one row here.
var options = []option{
	{flag: "target", field: "Target", arg: "URL", unset: "the embedded authserver on 127.0.0.1", usage: "base URL of the target"},
	{flag: "credentials", field: "Credentials", arg: "FILE", usage: "CSV of identifier,password lines; --target needs this or --cookies"},
	{flag: "cookies", field: "Cookies", arg: "FILE", usage: "CSV of refresh[,csrf[,access]] lines: ready sessions to import instead of signing in (at most --sessions are used)"},
	{flag: "sessions", field: "Sessions", usage: "virtual sessions (one token family each)"},
	{flag: "families-per-user", field: "FamiliesPerUser", usage: "token families each user may hold (keep under the server's cap)"},
	{flag: "rate", field: "Rate", arg: "R", usage: "refreshes per second; 0 = as fast as the target answers, bounded by --max-workers"},
	{flag: "duration", field: "Duration", usage: "how long the load runs"},
	{flag: "stages", field: "Stages.Spec", arg: "PLAN", usage: "load plan instead of --rate/--duration: [NAME=]DUR:SHAPE[:warmup],… with SHAPE R, A->B, step(A,B,N) or sine(BASE,AMP,PERIOD)"},
	{flag: "max-workers", field: "MaxWorkers", unset: "--sessions", usage: "bound on concurrent requests"},
	{flag: "policy", field: "Policy", arg: "SPEC", usage: "declared rotation policy: strict or grace=10s, optionally ,reuse=revoke-family or ,reuse=reject"},
	{flag: "server-policy", field: "ServerPolicy", arg: "SPEC", unset: "--policy", usage: "policy and defect modes of the embedded server (grammar: refreshstorm serve --help)"},
	{flag: "chaos", field: "Chaos", arg: "SPEC", unset: "none", usage: "chaos mix: kind=fraction[:param],… (lost-response, concurrent, replay, csrf, stale-cookie, net-latency, net-reset, net-stall) and partition=LEN@START"},
	{flag: "seed", field: "Seed", usage: "seed for the choice of chaos events"},
	{flag: "threshold", field: "Thresholds", arg: "EXPR", usage: "pass/fail condition, e.g. latency.p99<250ms (repeatable; adds to the defaults)"},
	{flag: "abort-on-fail", field: "AbortOnFail", usage: "end the run early once any threshold fails (or mark one expression with a ! suffix)"},
	{flag: "abort-after", field: "AbortAfter", usage: "abort thresholds are checked only after this much of the run"},
	{flag: "out", field: "Out", arg: "DIR", unset: "runs/<UTC timestamp>", usage: "results directory (must be new or empty)"},
	{flag: "headless", field: "Headless", usage: "no dashboard: one progress line per interval on stderr"},
	{flag: "progress-interval", field: "Interval", usage: "interval of headless progress lines"},
	{flag: "timeout", field: "Timeout", usage: "per-request timeout; a request that hits it is always timeout, never transport_error"},
	{flag: "idle-timeout", field: "IdleTimeout", usage: "close idle connections after this; keep it below the target's keep-alive timeout"},
	{flag: "max-retry-after", field: "MaxRetryAfter", usage: "longest Retry-After honoured: at sign-in a target asking for more stops the bootstrap (exit 3); a throttled refresh rests its session at most this long"},
	{flag: "bootstrap-timeout", field: "BootstrapTimeout", usage: "deadline for signing every session in (exit 3, naming it)"},
	{flag: "timing-margin", field: "TimingMargin", usage: "outcomes this close to the grace window are indeterminate"},
	{flag: "probe-margin", field: "ProbeMargin", usage: "wait grace + this before re-probing a revoked family (zombie check)"},
	{flag: "allow-insecure-cookies", field: "AllowInsecure", usage: "do not require Secure/HttpOnly/Path=/ on the refresh cookie (dev targets)"},
	{flag: "shard", field: "Shard", arg: "i/n", usage: "run shard i of n (1-based): a disjoint slice of users and 1/n of the rate; job/n takes i from JOB_COMPLETION_INDEX"},
	{flag: "metrics-addr", field: "MetricsAddr", arg: "ADDR", usage: "serve Prometheus metrics on this address, e.g. 127.0.0.1:9464"},
	{flag: "baseline", field: "Baseline", arg: "DIR", usage: "results directory to compare this run with at the end; a regression fails the run"},
	{flag: "baseline-force", field: "BaselineForce", usage: "compare with a --baseline of another scenario anyway"},
	{flag: "tolerance", field: "Tolerances", arg: "METRIC=VALUE", usage: "tolerance of the --baseline comparison, e.g. latency.p99=10% (repeatable)"},
	{flag: "events", field: "Events", arg: "WHICH", usage: "events.csv rows: sampled (every non-ok row, 1 in 10 plain successes weighted 10), all, or 1/N"},
	{flag: "vegeta-results", field: "VegetaResults", arg: "FILE", bare: results.FileResultsBin, usage: "also write vegeta's results file: results.bin, or results.bin.gz compressed"},
	{flag: "gzip", field: "Gzip", usage: "gzip-compress events.csv and results.bin (events.csv.gz, results.bin.gz)"},
	{flag: "ca-cert", field: "Network.CACerts", arg: "FILE", usage: "PEM CA file trusted in addition to the system pool (repeatable)"},
	{flag: "client-cert", field: "Network.ClientCert", arg: "FILE", usage: "PEM client certificate for mTLS (with --client-key)"},
	{flag: "client-key", field: "Network.ClientKey", arg: "FILE", usage: "PEM private key of --client-cert"},
	{flag: "tls-server-name", field: "Network.TLSServerName", arg: "NAME", usage: "TLS server name (SNI) and the name the certificate must carry"},
	{flag: "insecure-skip-verify", field: "Network.InsecureSkipVerify", usage: "do not verify the target's certificate (recorded loudly in the results)"},
	{flag: "http2", field: "Network.HTTP2", usage: "use HTTP/2 only (over TLS)"},
	{flag: "http1", field: "Network.HTTP1", usage: "never use HTTP/2"},
	{flag: "header", field: "Network.Headers", arg: "HEADER", usage: "'Name: value' sent on every request, e.g. a gateway key (repeatable; values are secrets)"},
	{flag: "header-public", field: "Network.HeaderPublic", arg: "NAME", usage: "header whose value may appear in results (repeatable)"},
	{flag: "resolve", field: "Network.Resolve", arg: "HOST:PORT:ADDR", usage: "connect to ADDR for HOST:PORT, keeping the Host header and TLS name, as curl (repeatable)"},
	{flag: "max-conns-per-host", field: "Network.MaxConnsPerHost", unset: "no bound", usage: "bound on connections to the target; requests queue beyond it"},
	{flag: "keepalive", field: "Network.KeepAlive", usage: "reuse connections; --keepalive=false opens one (and shakes hands) per request"},
	{flag: "connect-timeout", field: "Network.ConnectTimeout", usage: "bound on each TCP connect"},
	{flag: "proxy", field: "Network.Proxy", arg: "URL", unset: "none, whatever HTTP_PROXY says", usage: "send through this proxy (http, https or socks5 URL), or 'env' for HTTP_PROXY/HTTPS_PROXY/NO_PROXY"},
}

// networkOptions are the rows that say how the target is reached; every
// command that talks to a target takes them.
var networkOptions = []string{
	"ca-cert", "client-cert", "client-key", "tls-server-name", "insecure-skip-verify",
	"http2", "http1", "header", "header-public",
	"resolve", "max-conns-per-host", "keepalive", "connect-timeout", "proxy",
}

// settings are a command's scenario settings: --config and its rows.
type settings struct {
	config   string
	defaults func() scenario
	opts     *optionSet
}

// bindSettings declares --config and the named rows (all when none are
// named) on f.
func bindSettings(f *pflag.FlagSet, defaults func() scenario, names ...string) *settings {
	s := &settings{defaults: defaults}
	f.StringVar(&s.config, "config", "", "scenario YAML file; flags and REFRESHSTORM_* variables override it")
	f.Lookup("config").Value = named{f.Lookup("config").Value, "FILE"}
	sc := defaults()
	s.opts = bindOptions(f, &sc, names...)
	return s
}

// resolve layers the settings: defaults, then the scenario file, then
// the flags given through the environment or the command line.
func (s *settings) resolve() (scenario, error) {
	sc := s.defaults()
	if s.config != "" {
		if err := loadScenario(s.config, &sc); err != nil {
			return sc, err
		}
	}
	s.opts.apply(&sc)
	return sc, nil
}

// boundOption is a row resolved against a scenario type: where its field
// sits, found once when the command is built.
type boundOption struct {
	option
	index []int  // reflect field index path in scenario
	key   string // YAML key, e.g. ca_certs or stages
	flag  *pflag.Flag
}

// optionSet is a command's subset of the rows, bound to the scenario its
// flags write into.
type optionSet struct {
	rows []boundOption
	from *scenario // what the flags parse into
}

// bindOptions declares the named rows (all when names is empty) on f,
// writing into *sc, whose current values are the defaults. A row naming a
// missing field or an unsupported type is a programming error and panics
// at start-up, where every test sees it.
func bindOptions(f *pflag.FlagSet, sc *scenario, names ...string) *optionSet {
	set := &optionSet{from: sc}
	for _, o := range pick(names) {
		b := resolveOption(o)
		field := reflect.ValueOf(sc).Elem().FieldByIndex(b.index)
		declare(f, o, field)
		b.flag = f.Lookup(o.flag)
		set.rows = append(set.rows, b)
	}
	return set
}

func pick(names []string) []option {
	if len(names) == 0 {
		return options
	}
	out := make([]option, 0, len(names))
	for _, n := range names {
		i := indexOf(n)
		if i < 0 {
			panic("options: no row for --" + n)
		}
		out = append(out, options[i])
	}
	return out
}

func indexOf(flag string) int {
	for i, o := range options {
		if o.flag == flag {
			return i
		}
	}
	return -1
}

// resolveOption finds the row's field and YAML key in the scenario type.
func resolveOption(o option) boundOption {
	t := reflect.TypeFor[scenario]()
	b := boundOption{option: o}
	var keys []string
	for _, name := range strings.Split(o.field, ".") {
		sf, ok := t.FieldByName(name)
		if !ok {
			panic(fmt.Sprintf("options: --%s: scenario has no field %s", o.flag, o.field))
		}
		b.index = append(b.index, sf.Index...)
		if tag, _, _ := strings.Cut(sf.Tag.Get("yaml"), ","); tag != "" && tag != "-" {
			keys = append(keys, tag)
		}
		t = sf.Type
	}
	b.key = strings.Join(keys, ".")
	return b
}

// declare registers the flag with the pflag type that matches the field.
func declare(f *pflag.FlagSet, o option, field reflect.Value) {
	usage := o.usage
	if o.unset != "" {
		usage += " (default " + o.unset + ")"
	}
	switch p := field.Addr().Interface().(type) {
	case *time.Duration:
		f.DurationVar(p, o.flag, *p, usage)
	case pflag.Value:
		f.Var(p, o.flag, usage)
	case *string:
		f.StringVar(p, o.flag, *p, usage)
	case *int:
		f.IntVar(p, o.flag, *p, usage)
	case *int64:
		f.Int64Var(p, o.flag, *p, usage)
	case *float64:
		f.Float64Var(p, o.flag, *p, usage)
	case *bool:
		f.BoolVar(p, o.flag, *p, usage)
	case *[]string:
		f.StringArrayVar(p, o.flag, *p, usage)
	default:
		panic(fmt.Sprintf("options: --%s: field %s has type %s, which has no flag type", o.flag, o.field, field.Type()))
	}
	if o.bare != "" {
		f.Lookup(o.flag).NoOptDefVal = o.bare
	}
	if o.arg != "" {
		fl := f.Lookup(o.flag)
		fl.Value = named{fl.Value, o.arg}
		if fl.DefValue == "[]" {
			fl.DefValue = "" // pflag knows an empty list only by its own type name
		}
	}
}

// named shows a flag's value as a word such as URL or FILE in --help,
// where pflag would show its Go type.
type named struct {
	pflag.Value
	arg string
}

func (n named) Type() string { return n.arg }

// Unwrap gives the value pflag made, for code that asks what kind it is.
func (n named) Unwrap() pflag.Value { return n.Value }

// apply copies the flags given on the command line or through the
// environment (pflag marks both as changed) over dst, which holds the
// defaults and the scenario file: flag > environment > file > default. A
// repeatable flag adds to the file's list.
func (s *optionSet) apply(dst *scenario) {
	from := reflect.ValueOf(s.from).Elem()
	to := reflect.ValueOf(dst).Elem()
	for _, b := range s.rows {
		if !b.flag.Changed {
			continue
		}
		src, dstField := from.FieldByIndex(b.index), to.FieldByIndex(b.index)
		if src.Kind() == reflect.Slice {
			dstField.Set(reflect.AppendSlice(dstField, src))
			continue
		}
		dstField.Set(src)
	}
}
