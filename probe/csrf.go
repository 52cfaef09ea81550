package probe

import (
	"context"
)

// CSRF variants.
const (
	cSRFMissing = "missing"
	cSRFWrong   = "wrong"
	cSRFOther   = "other_family"
)

// csrfExperiment refreshes with a missing, a wrong and another family's
// CSRF token, each on a fresh family; a rejection must change nothing, so
// the same refresh cookie is then refreshed with the valid token.
func (d *prober) csrfExperiment(ctx context.Context) error {
	sum := &d.fp.CSRF
	for _, v := range []string{cSRFMissing, cSRFWrong, cSRFOther} {
		d.progress("  CSRF %s", v)
		tr, err := d.csrfTrial(ctx, v)
		if err != nil {
			return err
		}
		d.fp.Experiments.CSRF = append(d.fp.Experiments.CSRF, tr)
		result := Unknown
		switch {
		case tr.Accepted:
			result = Accepted
			d.violation("fail_csrf_bypass", expCSRF, "a refresh with a %s CSRF token was accepted (HTTP %d)", cSRFText(v), tr.Status)
		case isRejection(tr.Status):
			result = Rejected
		}
		switch v {
		case cSRFMissing:
			sum.Missing = result
		case cSRFWrong:
			sum.Wrong = result
		default:
			sum.OtherFamily = result
		}
		if tr.SideEffectFree != nil {
			if !*tr.SideEffectFree {
				d.violation("fail_csrf_side_effect", expCSRF,
					"a refresh rejected for a %s CSRF token (HTTP %d) still changed the session: the same cookie then got HTTP %d %s",
					cSRFText(v), tr.Status, tr.CheckStatus, tr.CheckError)
			}
			if sum.SideEffectFree == nil || *sum.SideEffectFree {
				sum.SideEffectFree = boolPtr(*tr.SideEffectFree)
			}
		}
	}
	return nil
}

func cSRFText(v string) string {
	switch v {
	case cSRFMissing:
		return "missing"
	case cSRFWrong:
		return "wrong"
	}
	return "another family's"
}

func (d *prober) csrfTrial(ctx context.Context, variant string) (CSRFTrial, error) {
	tr := CSRFTrial{Variant: variant}
	f, err := d.signIn(ctx)
	if err != nil {
		return tr, err
	}
	defer d.signOut(ctx, f)
	var csrf string
	switch variant {
	case cSRFWrong:
		csrf = tamper(f.csrf)
	case cSRFOther:
		o, err := d.signIn(ctx)
		if err != nil {
			return tr, err
		}
		defer d.signOut(ctx, o)
		csrf = o.csrf
		if csrf == f.csrf { // the token is not bound to the family at all
			csrf = tamper(csrf)
		}
	}
	r, err := d.refresh(ctx, f.head, csrf)
	if err != nil {
		return tr, err
	}
	tr.Status, tr.Error, tr.Accepted = r.status, r.code, r.accepted()
	if !r.rejected() {
		f.adopt(r)
		return tr, nil
	}
	c, err := d.refresh(ctx, f.head, f.csrf)
	if err != nil {
		return tr, err
	}
	tr.CheckStatus, tr.CheckError = c.status, c.code
	tr.SideEffectFree = c.works()
	f.adopt(c)
	return tr, nil
}

// tamper returns a token of the same shape that is not the valid one.
func tamper(valid string) string {
	if valid == "" {
		return "tampered"
	}
	b := []byte(valid)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}
