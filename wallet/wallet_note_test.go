package wallet_test

import (
	"testing"

	"github.com/facturo/facturo/wallet"
)

// TestMovementNote: a movement's note is only what someone wrote, never
// the English words the system puts in its description.
func TestMovementNote(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ kind, desc, want string }{
		{wallet.MoveTopUp, wallet.TopUpDescription, ""},
		{wallet.MoveRecharge, wallet.RechargeDescription, ""},
		{wallet.MoveGrant, wallet.GrantDescription("onboarding bonus"), "onboarding bonus"},
		{wallet.MoveGrant, wallet.GrantDescription(""), ""},
		{wallet.MoveDraw, "API calls March", "API calls March"},
	} {
		if got := (wallet.Movement{Kind: c.kind, Description: c.desc}).Note(); got != c.want {
			t.Errorf("%s %q: Note() = %q, want %q", c.kind, c.desc, got, c.want)
		}
	}
}
