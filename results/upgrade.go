package results

import "github.com/refreshstorm/refreshstorm/oracle"

// upgradeV1 turns a v1 summary into v2. v1 counted two family end states
// as "zombie": families whose reuse was rejected without revocation, and
// families that were revoked and later worked again. Every such family
// left at least one fail_revocation_missing or fail_zombie_family row
// respectively, so the split is exact when only one of the two outcomes
// occurred; when both did, as many families as there were
// fail_revocation_missing rows (at most) are counted revocation_missing
// and the rest zombie.
func upgradeV1(s *Summary) {
	old := s.Families[oracle.FamilyZombie]
	missing := min(old, s.Outcomes[oracle.FailRevocationMissing])
	s.Families[oracle.FamilyRevocationMissing] += missing
	s.Families[oracle.FamilyZombie] = old - missing
	s.UpgradedFrom, s.Schema = SchemaSummaryV1, SchemaSummary
}
