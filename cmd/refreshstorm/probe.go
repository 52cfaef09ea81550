package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/refreshstorm/refreshstorm/attack"
	"github.com/refreshstorm/refreshstorm/authserver"
	"github.com/refreshstorm/refreshstorm/internal/policyspec"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/probe"
	"github.com/refreshstorm/refreshstorm/targets"
)

// probeDemoUsers is how many demo users the embedded server gets; the
// experiments are dealt round-robin over them.
const probeDemoUsers = 4

// probeSignOutPath is the protocol's sign-out endpoint.
const probeSignOutPath = "/api/auth/sign-out"

// probeFlags are the probe command's flags.
type probeFlags struct {
	target, credentials, serverPolicy, reuse, access string
	json, allowInsecure                              bool
	maxDelay, timeout, zombieMargin                  time.Duration
	rounds                                           int
	// network is how the target is reached: the same TLS, header and
	// addressing rows as run's, bound to a scenario of their own.
	network *optionSet
	netsc   scenario
}

func newProbeCmd() *cobra.Command {
	pf := &probeFlags{netsc: defaultScenario()}
	cmd := &cobra.Command{
		Use:   "probe",
		Short: "Discover a target's rotation policy and the invariants it violates",
		Long: `Runs deterministic single-session experiments, each on a fresh token family,
and prints the target's rotation fingerprint:

  cookies        attributes of the sign-in and refresh Set-Cookie
  retry          lost-response retry at growing delays (0, 100ms, … --max-delay):
                 the grace window, and what a duplicate gets
  concurrent     N=2 and N=10 refreshes of one token on one start barrier: forks
  replay         parent and grandparent replay: who may use the window, whether
                 reuse revokes the family, whether the revocation lasts (zombie)
  csrf           missing, wrong and another family's CSRF token: checked, and
                 free of side effects

then the invariant violations (fail_fork, fail_replay_accepted,
fail_revocation_missing, fail_zombie_family, fail_csrf_bypass,
fail_csrf_side_effect, fail_cookie_attrs). Tokens, CSRF values and passwords
never appear in the output.

Over HTTP, a server that rejects a reused token without revoking its family
looks the same whether that is its documented policy or a bug: --reuse
declares which. Under revoke-family (the default) it is fail_revocation_missing,
under reject a weakness.

Without --target the embedded authserver is started on 127.0.0.1 with
--server-policy and probed (its declared reuse action is the server's).

Exit codes: 0 no invariant violated, 1 an invariant violated, 2 usage error,
3 could not run (target unreachable, sign-in failed), 130 interrupted.`,
		Example: `  refreshstorm probe --server-policy grace=10s --max-delay 15s
  refreshstorm probe --target https://auth.example.com --credentials users.csv --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runProbe(cmd.Context(), cmd, *pf)
		},
	}
	f := cmd.Flags()
	f.StringVar(&pf.target, "target", "", "base URL of the target; empty starts the embedded authserver on 127.0.0.1")
	f.StringVar(&pf.credentials, "credentials", "", "CSV of identifier,password lines (required with --target)")
	f.StringVar(&pf.serverPolicy, "server-policy", "strict", "`SPEC`: policy and defect modes of the embedded server (grammar: refreshstorm serve --help)")
	f.StringVar(&pf.reuse, "reuse", "", "declared reuse action: revoke-family or reject (default revoke-family; the embedded server's own)")
	f.BoolVar(&pf.json, "json", false, "print the refreshstorm/probe/v2 JSON document instead of text")
	f.DurationVar(&pf.maxDelay, "max-delay", probe.DefaultMaxDelay, "longest replay delay tried")
	f.BoolVar(&pf.allowInsecure, "allow-insecure-cookies", false, "report missing Secure/HttpOnly/Path=/ as weaknesses, not fail_cookie_attrs (dev targets)")
	f.DurationVar(&pf.timeout, "timeout", probe.DefaultTimeout, "per-request timeout")
	f.IntVar(&pf.rounds, "rounds", probe.DefaultRounds, "concurrent-duplicate bursts per N (stop at the first fork)")
	f.DurationVar(&pf.zombieMargin, "zombie-margin", probe.DefaultZombieMargin, "wait the estimated window plus this before re-probing a revoked family")
	f.StringVar(&pf.access, "access", "", "declared access tokens: revocable (checked after a revocation) or self-contained (default: revocable for cookie, self-contained for token profiles; the embedded server's own)")
	pf.network = bindOptions(f, &pf.netsc, append(append([]string{}, networkOptions...), profileOptions...)...)
	return cmd
}

// probePlan is validated probe flags.
type probePlan struct {
	creds        []targets.Credential
	serverPolicy authserver.Policy
	reuse        oracle.ReuseAction
	access       policyspec.Access
}

func validateProbe(cmd *cobra.Command, pf probeFlags) (*probePlan, error) {
	p := &probePlan{}
	fs := cmd.Flags()
	switch {
	case pf.maxDelay <= 0 || pf.maxDelay > probe.DelayLimit:
		return nil, usageError("--max-delay %s: want more than 0 and at most %s", pf.maxDelay, probe.DelayLimit)
	case pf.timeout <= 0:
		return nil, usageError("--timeout %s: want a positive duration", pf.timeout)
	case pf.rounds < 1 || pf.rounds > probe.MaxRounds:
		return nil, usageError("--rounds %d: want 1..%d", pf.rounds, probe.MaxRounds)
	case pf.zombieMargin < 0:
		return nil, usageError("--zombie-margin %s: want 0 or more", pf.zombieMargin)
	case pf.target != "" && pf.credentials == "":
		return nil, usageError("--target needs --credentials FILE (identifier,password lines)")
	case pf.target == "" && pf.credentials != "":
		return nil, usageError("--credentials needs --target (the embedded server uses demo users)")
	case pf.target != "" && fs.Changed("server-policy"):
		return nil, usageError("--server-policy configures the embedded server; it cannot be used with --target")
	}
	// --access and --reuse are words of the policy grammar: parse them there.
	if pf.access != "" {
		spec, err := policyspec.Parse("strict,access=" + pf.access)
		if err != nil || strings.Contains(pf.access, ",") {
			return nil, usageError("--access %q: want revocable or self-contained", pf.access)
		}
		p.access = spec.Access
	}
	if pf.reuse != "" {
		spec, err := policyspec.Parse("strict,reuse=" + pf.reuse)
		if err != nil || strings.Contains(pf.reuse, ",") {
			return nil, usageError("--reuse %q: want revoke-family or reject", pf.reuse)
		}
		p.reuse = oracle.ReuseReject
		if spec.RevokeOnReuse {
			p.reuse = oracle.ReuseRevokeFamily
		}
	}
	if pf.target == "" {
		var err error
		if p.serverPolicy, err = authserver.ParsePolicy(pf.serverPolicy); err != nil {
			return nil, usageError("--server-policy: %v", err)
		}
		if pf.reuse == "" && !p.serverPolicy.RevokeOnReuse {
			p.reuse = oracle.ReuseReject
		}
		if pf.access == "" {
			p.access = p.serverPolicy.Access
		}
		return p, nil
	}
	creds, err := targets.LoadCredentials(pf.credentials)
	if err != nil {
		return nil, usageError("--credentials: %v", err)
	}
	p.creds = creds
	return p, nil
}

// runProbe is the whole of `probe` after flag parsing.
func runProbe(parent context.Context, cmd *cobra.Command, pf probeFlags) error {
	p, err := validateProbe(cmd, pf)
	if err != nil {
		return err
	}
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()

	target := pf.target
	if target == "" {
		srv, creds, err := startEmbedded(p.serverPolicy, probeDemoUsers, stderr)
		if err != nil {
			return err
		}
		defer srv.Close()
		target, p.creds = srv.URL, creds
	}
	nw := defaultScenario()
	pf.network.apply(&nw)
	pcfg := nw.Profile
	pcfg.AllowInsecureCookies = pf.allowInsecure
	if pf.target == "" {
		pcfg = embeddedProfile(pcfg)
	}
	prof, err := targets.NewProfile(pcfg, target)
	if err != nil {
		return usageError("--target/--profile: %v", err)
	}
	access := resolveAccess(oracle.Policy{Access: p.access}, profileKind(nw)).Access
	signOut := ""
	if prof.UsesCSRF() {
		signOut = strings.TrimRight(target, "/") + probeSignOutPath
	}
	wire, transport, err := nw.Network.dial(32, target, stderr)
	if err != nil {
		return err
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport:     attack.WithTimeout(wire, pf.timeout),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	fp, err := probe.Run(ctx, client, prof, p.creds, probe.Options{
		MaxDelay:             pf.maxDelay,
		Timeout:              pf.timeout,
		Rounds:               pf.rounds,
		ZombieMargin:         pf.zombieMargin,
		ExpectReuse:          p.reuse,
		AllowInsecureCookies: pf.allowInsecure,
		SignOutURL:           signOut,
		SelfContainedAccess:  access == policyspec.AccessSelfContained,
		Target:               target,
		Progress:             func(msg string) { fmt.Fprintln(stderr, "probe:", msg) },
	})
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return withCode(exitInterrupted, errors.New("interrupted; nothing was reported"))
		}
		return withCode(exitCannotRun, fmt.Errorf("probe of %s: %w", target, err))
	}
	if err := writeProbe(stdout, fp, pf.json); err != nil {
		return withCode(exitCannotRun, fmt.Errorf("writing the report: %w", err))
	}
	if fp.Violated() {
		return withCode(exitFailed, errVerdictFailed)
	}
	return nil
}

func writeProbe(w io.Writer, fp *probe.Fingerprint, asJSON bool) error {
	if !asJSON {
		return fp.WriteText(w)
	}
	b, err := json.MarshalIndent(fp, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
