package main

import (
	"github.com/refreshstorm/refreshstorm/authserver"
	"github.com/refreshstorm/refreshstorm/internal/policyspec"
	"github.com/refreshstorm/refreshstorm/oracle"
	"github.com/refreshstorm/refreshstorm/targets"
)

// embeddedProfile completes a profile for the embedded authserver: its
// demo client and the endpoints that check access tokens, where the
// scenario left them out.
func embeddedProfile(cfg targets.ProfileConfig) targets.ProfileConfig {
	switch cfg.Kind {
	case targets.KindOAuth2:
		if cfg.ClientID == "" {
			cfg.ClientID = authserver.DemoClientID
			if cfg.ClientAuth != targets.ClientAuthNone && cfg.ClientSecret == "" && cfg.ClientSecretEnv == "" {
				cfg.ClientSecret = authserver.DemoClientSecret
			}
			if cfg.ClientAuth == targets.ClientAuthNone {
				cfg.ClientID = authserver.PublicClientID
			}
		}
		if cfg.IntrospectionURL == "" && cfg.UserinfoURL == "" {
			cfg.IntrospectionURL = authserver.PathIntrospect
		}
	case targets.KindJSON:
		if cfg.AccessCheckURL == "" {
			cfg.AccessCheckURL = authserver.PathJSONMe
		}
	}
	return cfg
}

// resolveAccess settles an undeclared access= for the profile: cookie
// sessions' access cookies must die with their family; token protocols'
// access tokens are often self-contained JWTs, so there a live access
// token after revocation is reported, not failed, unless the scenario
// declares access=revocable.
func resolveAccess(p oracle.Policy, kind string) oracle.Policy {
	if p.Access == policyspec.AccessDefault && kind != targets.KindCookie {
		p.Access = policyspec.AccessSelfContained
	}
	return p
}
