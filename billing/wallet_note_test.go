package billing_test

import (
	"testing"

	"github.com/facturo/facturo/billing"
)

// TestMovementNote: a movement's note is only what someone wrote, never
// the English words the system puts in its description.
func TestMovementNote(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ kind, desc, want string }{
		{billing.MoveTopUp, billing.TopUpDescription, ""},
		{billing.MoveRecharge, billing.RechargeDescription, ""},
		{billing.MoveGrant, billing.GrantDescription("onboarding bonus"), "onboarding bonus"},
		{billing.MoveGrant, billing.GrantDescription(""), ""},
		{billing.MoveDraw, "API calls March", "API calls March"},
	} {
		if got := (billing.Movement{Kind: c.kind, Description: c.desc}).Note(); got != c.want {
			t.Errorf("%s %q: Note() = %q, want %q", c.kind, c.desc, got, c.want)
		}
	}
}
