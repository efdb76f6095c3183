package numbering

import "testing"

func TestInternalFormat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind Internal
		n    int64
		want string
	}{
		{DocumentNumber, 42, "D-000042"},
		{ContractNumber, 1, "K-000001"},
		{TicketNumber, 7, "T-000007"},
		{CustomerNumber, 1234567, "C-1234567"},
		{WalletReceipt, 3, "WR-000003"},
		{JournalVoucher, 7, "JE-00000007"},
	}
	counters := map[string]bool{}
	for _, c := range cases {
		if got := c.kind.Format(c.n); got != c.want {
			t.Errorf("%s.Format(%d) = %q, want %q", c.kind.Counter, c.n, got, c.want)
		}
		if counters[c.kind.Counter] {
			t.Errorf("counter %q is shared by two kinds of number", c.kind.Counter)
		}
		counters[c.kind.Counter] = true
	}
}
