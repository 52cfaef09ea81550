package oracle

// FamilyState is the end state of one token family.
type FamilyState uint8

const (
	FamilyHealthy FamilyState = iota
	FamilyRevokedCorrectly
	FamilyRevokedSpuriously
	FamilyForked
	// FamilyRevocationMissing: reuse was rejected, but the family was never
	// revoked (a credential still worked right after the rejection).
	FamilyRevocationMissing
	// FamilyZombie: the family was revoked, then worked again later.
	FamilyZombie
	FamilyDesync

	NumFamilyStates
)

var familyStateNames = [NumFamilyStates]string{
	"healthy", "revoked_correctly", "revoked_spuriously", "forked", "revocation_missing", "zombie", "desync",
}

func (s FamilyState) String() string {
	if s < NumFamilyStates {
		return familyStateNames[s]
	}
	return "unknown_family_state"
}

// ParseFamilyState maps a stable name back to its FamilyState.
func ParseFamilyState(name string) (FamilyState, bool) {
	for i, n := range familyStateNames {
		if n == name {
			return FamilyState(i), true
		}
	}
	return 0, false
}
