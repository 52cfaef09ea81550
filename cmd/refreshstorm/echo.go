package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/refreshstorm/refreshstorm/targets"
)

// configEcho is the run configuration written into summary.json. It names
// files but never their contents: no passwords, no tokens.
func configEcho(sc scenario, p *plan, target string) map[string]any {
	exprs := make([]string, len(sc.Thresholds))
	copy(exprs, sc.Thresholds)
	shard := sc.Shard
	if p.shardCount > 1 {
		shard = fmt.Sprintf("%d/%d", p.shardIndex+1, p.shardCount)
	}
	return map[string]any{
		"target":            target,
		"profile":           profileKind(sc),
		"embedded_server":   sc.Target == "",
		"server_policy":     serverPolicyEcho(sc, p),
		"sessions":          sc.Sessions,
		"rate":              sc.Rate,
		"shard_rate":        p.rate,
		"shard_sessions":    p.sessions,
		"duration":          sc.Duration.String(),
		"policy":            p.policy.String(),
		"chaos":             p.chaos.String(),
		"seed":              sc.Seed,
		"shard":             shard,
		"families_per_user": sc.FamiliesPerUser,
		"max_workers":       sc.MaxWorkers,
		"timeout":           sc.Timeout.String(),
		"timing_margin":     sc.TimingMargin.String(),
		"probe_margin":      sc.ProbeMargin.String(),
		"credentials":       sc.Credentials,
		"cookies":           sc.Cookies,
		"user_thresholds":   exprs,
	}
}

func profileKind(sc scenario) string {
	if sc.Profile.Kind == "" {
		return targets.KindCookie
	}
	return sc.Profile.Kind
}

func serverPolicyEcho(sc scenario, p *plan) string {
	if sc.Target != "" {
		return ""
	}
	return p.serverPolicy.String()
}

// scenarioID identifies what a run measured, so that merge only combines
// shards of one scenario: everything but the shard index counts.
func scenarioID(sc scenario, p *plan) string {
	parts := []string{
		"target=" + sc.Target,
		"profile=" + profileKind(sc),
		"server_policy=" + serverPolicyEcho(sc, p),
		fmt.Sprintf("sessions=%d", sc.Sessions),
		"cookies=" + sc.Cookies,
		fmt.Sprintf("rate=%g", sc.Rate),
		"duration=" + sc.Duration.String(),
		"policy=" + p.policy.String(),
		"chaos=" + p.chaos.String(),
		fmt.Sprintf("seed=%d", sc.Seed),
		fmt.Sprintf("shards=%d", p.shardCount),
		"thresholds=" + strings.Join(sc.Thresholds, ";"),
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(sum[:8])
}
