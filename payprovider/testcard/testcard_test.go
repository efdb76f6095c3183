package testcard_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
)

func TestTestCards(t *testing.T) {
	ctx := context.Background()
	p := testcard.New()
	for number, want := range map[string]string{
		"4242424242424242": "", "5555 5555 5555 4444": "", "378282246310005": "", "4000000000000341": "",
		"4000000000000002": "card_declined", "4000000000000069": "expired_card", "4000000000000127": "incorrect_cvc",
		"4242424242424241": "incorrect_number", "42": "incorrect_number", "abcd": "incorrect_number",
	} {
		c, err := p.AttachCard(ctx, service.AttachCardRequest{Card: number})
		var d *service.DeclineError
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", number, err)
		case want != "" && (!errors.As(err, &d) || d.Code != want):
			t.Errorf("%s: %v, want %s", number, err, want)
		case want == "" && (strings.Contains(c.Token, strings.ReplaceAll(number, " ", "")) || c.Last4 != number[len(number)-4:] || c.ExpYear == 0):
			t.Errorf("%s: %+v", number, c)
		}
	}
	ok, _ := p.AttachCard(ctx, service.AttachCardRequest{Card: "4242424242424242", ExpMonth: 5, ExpYear: 2031})
	if ok.ExpMonth != 5 || ok.ExpYear != 2031 || ok.Brand != "visa" || !strings.HasPrefix(ok.ProviderCustomer, "cus_test_") {
		t.Fatalf("visa: %+v", ok)
	}
	ch, err := p.Charge(ctx, service.ChargeRequest{Token: ok.Token, Amount: money.In(decimal.NewFromInt(10), "EUR"), IdempotencyKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := p.Charge(ctx, service.ChargeRequest{Token: ok.Token, Amount: money.In(decimal.NewFromInt(10), "EUR"), IdempotencyKey: "k"})
	if again.ChargeID != ch.ChargeID || !p.Net().Equal(decimal.NewFromInt(10)) {
		t.Fatalf("idempotent charge: %s then %s, net %s", ch.ChargeID, again.ChargeID, p.Net())
	}
	if _, err := p.Refund(ctx, service.RefundRequest{ChargeID: ch.ChargeID, Amount: money.In(decimal.NewFromInt(11), "EUR")}); err == nil {
		t.Fatal("refunded more than charged")
	}
	if _, err := p.Refund(ctx, service.RefundRequest{ChargeID: ch.ChargeID, Amount: money.In(decimal.NewFromInt(4), "EUR")}); err != nil || !p.Net().Equal(decimal.NewFromInt(6)) {
		t.Fatalf("refund: %v, net %s", err, p.Net())
	}
	declining, _ := p.AttachCard(ctx, service.AttachCardRequest{Card: "4000000000000341"})
	_, err = p.Charge(ctx, service.ChargeRequest{Token: declining.Token, Amount: money.In(decimal.NewFromInt(1), "EUR")})
	var d *service.DeclineError
	if !errors.As(err, &d) || d.Code != "card_declined" {
		t.Fatalf("declining card: %v", err)
	}
}

// TestTestSetupCard: the test provider takes card numbers and answers a
// card setup with a fresh stand-in client secret shaped like Stripe's.
func TestTestSetupCard(t *testing.T) {
	p := testcard.New()
	if !p.AcceptsCardNumbers() {
		t.Fatal("the test provider refuses card numbers")
	}
	a, err := p.SetupCard(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := p.SetupCard(context.Background(), "cus_test_x")
	if !strings.HasPrefix(a, "seti_test_") || !strings.Contains(a, "_secret_") || a == b {
		t.Fatalf("client secrets %q, %q", a, b)
	}
}
