package authserver

import (
	"errors"
	"fmt"
	"time"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultFamilyCap  = 5
	DefaultAccessTTL  = 600 * time.Second
	DefaultRefreshTTL = 24 * time.Hour
)

// Config configures a Server.
type Config struct {
	Policy     Policy
	Users      map[string]string // identifier -> password
	FamilyCap  int               // active families per user; 0 = Policy.FamilyCap, else DefaultFamilyCap; one more sign-in revokes the user's oldest family
	AccessTTL  time.Duration     // 0 = DefaultAccessTTL
	RefreshTTL time.Duration     // absolute lifetime of a family's refresh chain; 0 = DefaultRefreshTTL
	Secret     []byte            // HMAC key for CSRF and access tokens; random if nil
	Now        func() time.Time  // clock; time.Now if nil
	// Clients are the OAuth 2.0 clients, id -> secret ("" for a public
	// client); nil registers the demo clients DemoClientID (secret
	// DemoClientSecret) and PublicClientID.
	Clients map[string]string
}

// withDefaults validates cfg and fills its zero fields.
func (cfg Config) withDefaults() (Config, error) {
	if err := cfg.Policy.Validate(); err != nil {
		return cfg, err
	}
	if len(cfg.Users) == 0 {
		return cfg, errors.New("no users configured (see DemoUsers)")
	}
	for id := range cfg.Users {
		if id == "" {
			return cfg, errors.New("user with an empty identifier")
		}
	}
	switch {
	case cfg.FamilyCap < 0:
		return cfg, fmt.Errorf("family cap %d is negative", cfg.FamilyCap)
	case cfg.AccessTTL < 0:
		return cfg, fmt.Errorf("access TTL %v is negative", cfg.AccessTTL)
	case cfg.RefreshTTL < 0:
		return cfg, fmt.Errorf("refresh TTL %v is negative", cfg.RefreshTTL)
	}
	if cfg.FamilyCap == 0 {
		cfg.FamilyCap = cfg.Policy.FamilyCap // family-cap= in the policy grammar
	}
	if cfg.FamilyCap == 0 {
		cfg.FamilyCap = DefaultFamilyCap
	}
	if cfg.AccessTTL == 0 {
		cfg.AccessTTL = DefaultAccessTTL
	}
	if cfg.RefreshTTL == 0 {
		cfg.RefreshTTL = DefaultRefreshTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Clients == nil {
		cfg.Clients = map[string]string{DemoClientID: DemoClientSecret, PublicClientID: ""}
	}
	if cfg.Policy.Defects&DefectZombie != 0 && cfg.Policy.ZombieAfter == 0 {
		cfg.Policy.ZombieAfter = DefaultZombieAfter
	}
	return cfg, nil
}

// DemoUsers returns n users "user-0001".."user-NNNN" with passwords
// "pw-user-0001"..., for demos and tests.
func DemoUsers(n int) map[string]string {
	users := make(map[string]string, max(n, 0))
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("user-%04d", i)
		users[id] = "pw-" + id
	}
	return users
}
