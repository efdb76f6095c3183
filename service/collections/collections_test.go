package collections

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service/usecase/usecasetest"
)

func refusingService(t *testing.T) *Service {
	return New(Stores{Payments: usecasetest.Refusing[PaymentsTx](t), Dunning: usecasetest.Refusing[DunningTx](t)}, Deps{},
		func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) })
}

// Every use case refuses a caller without its permission, and refused
// input, before it opens a transaction.
func TestRefusedBeforeAnyTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sales := access.Principal{TenantID: "t1", UserID: "u1", Role: access.Sales, Name: "S"}
	finance := access.Principal{TenantID: "t1", UserID: "u2", Role: access.Finance, Name: "F"}
	admin := access.Principal{TenantID: "t1", UserID: "u3", Role: access.Administrator, Name: "A"}
	nobody := access.Principal{}
	cases := []struct {
		name string
		call func(s *Service) error
		kind fail.Code
	}{
		{"record needs payments.manage", func(s *Service) error {
			_, err := s.RecordPayment(ctx, sales, PaymentInput{CustomerID: "c", Method: PayCash, Amount: "1"})
			return err
		}, fail.Forbidden},
		{"record needs an amount", func(s *Service) error {
			_, err := s.RecordPayment(ctx, finance, PaymentInput{CustomerID: "c", Method: PayCash, Amount: "x"})
			return err
		}, fail.Invalid},
		{"pay needs a tenant", func(s *Service) error {
			_, err := s.PayInvoice(ctx, nobody, "inv", "", "")
			return err
		}, fail.Unauthenticated},
		{"settle needs payments.manage", func(s *Service) error {
			_, err := s.Settle(ctx, sales, SettleInput{CustomerID: "c"})
			return err
		}, fail.Forbidden},
		{"refund needs payments.manage", func(s *Service) error {
			_, err := s.RefundPayment(ctx, sales, "pay", RefundInput{})
			return err
		}, fail.Forbidden},
		{"refund reason at most 500 characters", func(s *Service) error {
			_, err := s.RefundPayment(ctx, finance, "pay", RefundInput{Reason: strings.Repeat("x", 501)})
			return err
		}, fail.Invalid},
		{"dunning schedule needs tenant.manage", func(s *Service) error {
			_, err := s.SetDunningSchedule(ctx, finance, []int{7})
			return err
		}, fail.Forbidden},
		{"dunning schedule strictly increasing", func(s *Service) error {
			_, err := s.SetDunningSchedule(ctx, admin, []int{7, 7})
			return err
		}, fail.Invalid},
		{"reading the schedule needs settings.read", func(s *Service) error {
			_, err := s.GetDunningSchedule(ctx, nobody)
			return err
		}, fail.Unauthenticated},
		{"payments are not part of reading invoices", func(s *Service) error {
			_, err := s.ListPayments(ctx, sales, PaymentFilter{})
			return err
		}, fail.Forbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := c.call(refusingService(t))
			if !fail.Is(err, c.kind) {
				t.Fatalf("got %v, want a %s error", err, c.kind)
			}
		})
	}
}
