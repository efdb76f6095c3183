package accounts

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/subscription"
	"github.com/facturo/facturo/wallet"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// in is the amount s in the currency with ISO code.
func in(s, code string) money.Amount { return money.In(dec(s), code) }

var (
	staff    = access.Principal{TenantID: "t1", UserID: "u1", Role: access.Finance}
	sales    = access.Principal{TenantID: "t1", UserID: "u2", Role: access.Sales}
	manager  = access.Principal{TenantID: "t1", UserID: "u6", Role: access.FinanceManager}
	engineer = access.Principal{TenantID: "t1", UserID: "u3", Role: access.Engineer}
	own      = access.Principal{TenantID: "t1", UserID: "u4", Role: access.Customer, CustomerID: "c1"}
	noCust   = access.Principal{TenantID: "t1", UserID: "u5", Role: access.Customer}
	nobody   = access.Principal{Role: access.Administrator}
)

// code is the fail code of err, or "" for nil.
func code(err error) fail.Code {
	if err == nil {
		return ""
	}
	var fe *fail.Error
	if errors.As(err, &fe) {
		return fe.Code
	}
	return "other"
}

func TestAccountChecks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		p        access.Principal
		customer string
		own      fail.Code // RequireOwnAccount with ManagePayments
		read     fail.Code // RequireCustomerRead
	}{
		{"staff with the permission", staff, "c9", "", ""},
		{"staff without it", sales, "c9", fail.Forbidden, ""},
		{"engineer", engineer, "c9", fail.Forbidden, fail.Forbidden},
		{"customer on its own account", own, "c1", "", ""},
		{"customer on another account", own, "c2", fail.NotFound, fail.NotFound},
		{"customer without an account", noCust, "", fail.NotFound, fail.NotFound},
		{"no tenant", nobody, "c1", fail.Unauthenticated, fail.Unauthenticated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := code(RequireOwnAccount(c.p, access.ManagePayments, c.customer)); got != c.own {
				t.Errorf("RequireOwnAccount = %q, want %q", got, c.own)
			}
			if got := code(RequireCustomerRead(c.p, c.customer)); got != c.read {
				t.Errorf("RequireCustomerRead = %q, want %q", got, c.read)
			}
		})
	}
}

func TestProviderErr(t *testing.T) {
	t.Parallel()
	upstream := errors.New("connection reset")
	cases := []struct {
		name  string
		err   error
		code  fail.Code
		field string
	}{
		{"a refused card", &DeclineError{Code: "card_declined", Message: "Your card was declined."}, fail.PaymentFailed, "card"},
		{"a domain error stays", fail.Conflictf("busy"), fail.Conflict, ""},
		{"anything else is upstream", upstream, "other", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := ProviderErr(c.err)
			if code(got) != c.code {
				t.Fatalf("ProviderErr(%v) = %v, want code %q", c.err, got, c.code)
			}
			if !errors.Is(got, c.err) && c.code == "other" {
				t.Errorf("ProviderErr(%v) = %v does not wrap it", c.err, got)
			}
			var fe *fail.Error
			if c.field != "" && (!errors.As(got, &fe) || len(fe.Fields) != 1 || fe.Fields[0].Field != c.field) {
				t.Errorf("ProviderErr(%v) fields = %+v, want %q", c.err, fe, c.field)
			}
		})
	}
	if code(RequireProvider(nil)) != fail.Conflict || RequireProvider(&fakeProvider{}) != nil {
		t.Error("RequireProvider refuses only a missing provider")
	}
}

func TestExpired(t *testing.T) {
	t.Parallel()
	today := calendar.New(2026, time.March, 15)
	cases := []struct {
		month, year int
		want        bool
	}{
		{2, 2026, true}, {3, 2026, false}, {4, 2026, false}, {12, 2025, true}, {1, 2027, false},
	}
	for _, c := range cases {
		if got := (PaymentMethod{ExpMonth: c.month, ExpYear: c.year}).Expired(today); got != c.want {
			t.Errorf("%02d/%d expired on %s = %v, want %v", c.month, c.year, today, got, c.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	today := calendar.New(2026, time.June, 1)
	at := func(d int) time.Time { return time.Date(2026, time.May, d, 12, 0, 0, 0, time.UTC) }
	doc := func(id string, kind billing.Kind, st billing.Status, total string, date calendar.Date, created time.Time) billing.Invoice {
		inv := billing.Invoice{ID: id, Kind: kind, Status: st, Currency: "EUR", InvoiceDate: date, CreatedAt: created}
		inv.Total, inv.TotalAccounting = money.In(dec(total), "EUR"), money.In(dec(total), "EUR")
		return inv
	}
	issued := at(3)
	i1 := doc("i1", billing.KindInvoice, billing.Open, "100", calendar.New(2026, time.May, 2), at(2))
	i1.IssuedAt = &issued
	invs := []billing.Invoice{
		i1,
		doc("i2", billing.KindInvoice, billing.Closed, "40", calendar.New(2025, time.December, 30), at(1)),
		doc("c1", billing.KindCreditNote, billing.Open, "10", calendar.New(2026, time.May, 4), at(4)),
		doc("v1", billing.KindInvoice, billing.Void, "999", calendar.New(2026, time.May, 5), at(5)),
		doc("d1", billing.KindInvoice, billing.Draft, "555", calendar.New(2026, time.May, 6), at(6)),
	}
	moves := []wallet.Movement{
		{ID: "m1", Kind: wallet.MoveTopUp, Paid: in("50", "EUR"), Complimentary: in("0", "EUR"), CreatedAt: at(7)},
		{ID: "m2", Kind: wallet.MoveDraw, Paid: in("-20", "EUR"), Complimentary: in("-5", "EUR"), CreatedAt: at(8)},
		{ID: "m3", Kind: wallet.MoveGrant, Paid: in("0", "EUR"), Complimentary: in("15", "EUR"), CreatedAt: at(9)},
	}
	subs := []subscription.Subscription{
		{Status: subscription.SubActive, Currency: "EUR", Quantity: dec("2"), Price: money.PriceIn(dec("10"), "EUR"), Interval: billing.Monthly},
		{Status: subscription.SubActive, Currency: "EUR", Quantity: dec("1"), Price: money.PriceIn(dec("120"), "EUR"), Interval: billing.Yearly},
		{Status: subscription.SubActive, Currency: "USD", Quantity: dec("1"), Price: money.PriceIn(dec("99"), "USD"), Interval: billing.Monthly},
		{Status: subscription.SubPaused, Currency: "EUR", Quantity: dec("1"), Price: money.PriceIn(dec("1000"), "EUR"), Interval: billing.Monthly},
	}
	sum, txs := summarize("EUR", today, invs, moves, subs)
	checks := []struct {
		name      string
		got, want money.Amount
	}{
		{"invoiced (credit notes less, void and drafts out)", sum.Invoiced, in("130", "EUR")},
		{"invoiced this year", sum.InvoicedThisYear, in("90", "EUR")},
		{"wallet drawn", sum.WalletDrawn, in("25", "EUR")},
		{"wallet topped up", sum.WalletToppedUp, in("50", "EUR")},
		{"recurring in the first currency", sum.Recurring, in("30", "EUR")},
		{"paid, before the payments are added", sum.Paid, in("0", "EUR")},
	}
	for _, c := range checks {
		if !c.got.Equal(c.want) {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	if sum.RecurringCurrency != "EUR" || sum.Currency != "EUR" {
		t.Errorf("currencies = %s, %s", sum.Currency, sum.RecurringCurrency)
	}
	var ids []string
	for _, tx := range txs {
		ids = append(ids, tx.ID)
	}
	if want := []string{"m3", "m2", "m1", "v1", "c1", "i1", "i2"}; !slices.Equal(ids, want) {
		t.Errorf("transactions = %v, want %v (newest first, no drafts)", ids, want)
	}
	if empty, _ := summarize("JPY", today, nil, nil, nil); empty.RecurringCurrency != "JPY" || !empty.Recurring.Equal(in("0", "JPY")) ||
		!empty.Invoiced.Equal(in("0", "JPY")) {
		t.Errorf("without subscriptions the recurring currency is the accounting one, got %q (%s, invoiced %s %s)",
			empty.RecurringCurrency, empty.Recurring.Currency(), empty.Invoiced, empty.Invoiced.Currency())
	}
}

// fakeStore runs every transaction on one fake, and keeps the audit
// entries only of the writes that commit.
type fakeStore struct{ tx *fakeTx }

func (s fakeStore) Write(ctx context.Context, fn func(*fakeTx) error) error {
	before := len(s.tx.audit)
	if err := fn(s.tx); err != nil {
		s.tx.audit = s.tx.audit[:before]
		return err
	}
	return nil
}

func (s fakeStore) Read(ctx context.Context, fn func(*fakeTx) error) error { return fn(s.tx) }

// fakeTx is a tenant t1 with customers and cards in memory.
type fakeTx struct {
	audit     []usecase.AuditEntry
	customers map[string]billing.Customer
	methods   []PaymentMethod
	subs      []subscription.Subscription
}

func (f *fakeTx) InsertAudit(ctx context.Context, e usecase.AuditEntry) error {
	f.audit = append(f.audit, e)
	return nil
}
func (f *fakeTx) GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error) {
	return billing.Tenant{ID: tenantID, Currency: "EUR"}, nil
}
func (f *fakeTx) GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error) {
	c, ok := f.customers[customerID]
	if !ok {
		return c, fail.NotFoundf("no customer %q", customerID)
	}
	return c, nil
}
func (f *fakeTx) InsertPaymentMethod(ctx context.Context, m PaymentMethod) error {
	f.methods = append(f.methods, m)
	return nil
}
func (f *fakeTx) ListPaymentMethods(ctx context.Context, tenantID, customerID string) ([]PaymentMethod, error) {
	var out []PaymentMethod
	for _, m := range f.methods {
		if m.CustomerID == customerID {
			out = append(out, m)
		}
	}
	return out, nil
}
func (f *fakeTx) GetPaymentMethod(ctx context.Context, tenantID, id string) (PaymentMethod, error) {
	for _, m := range f.methods {
		if m.ID == id {
			return m, nil
		}
	}
	return PaymentMethod{}, fail.NotFoundf("no payment method %q", id)
}
func (f *fakeTx) DeletePaymentMethod(ctx context.Context, tenantID, id string) error {
	f.methods = slices.DeleteFunc(f.methods, func(m PaymentMethod) bool { return m.ID == id })
	return nil
}
func (f *fakeTx) SetPrimaryPaymentMethod(ctx context.Context, tenantID, customerID, id string) error {
	for i := range f.methods {
		if f.methods[i].CustomerID == customerID {
			f.methods[i].Primary = f.methods[i].ID == id
		}
	}
	return nil
}
func (f *fakeTx) ListSubscriptions(ctx context.Context, tenantID, customerID string) ([]subscription.Subscription, error) {
	return f.subs, nil
}
func (f *fakeTx) ListMovements(ctx context.Context, tenantID, customerID string, limit int) ([]wallet.Movement, error) {
	return []wallet.Movement{{ID: "m1", Kind: wallet.MoveTopUp, Paid: in("50", "EUR"), Complimentary: in("0", "EUR"), CreatedAt: time.Unix(10, 0)}}, nil
}

// The customers' part is not used by these tests.
func (f *fakeTx) InsertCustomer(ctx context.Context, c billing.Customer) error { panic("unused") }
func (f *fakeTx) GetCustomerForUpdate(ctx context.Context, tenantID, customerID string) (billing.Customer, error) {
	return f.GetCustomer(ctx, tenantID, customerID)
}
func (f *fakeTx) UpdateCustomer(ctx context.Context, c billing.Customer) error { panic("unused") }
func (f *fakeTx) CustomerNumberTaken(ctx context.Context, tenantID, number string) (bool, error) {
	panic("unused")
}
func (f *fakeTx) NextCounter(ctx context.Context, tenantID, name string) (int64, error) {
	panic("unused")
}
func (f *fakeTx) ListPostingProfiles(ctx context.Context, tenantID string) ([]ledger.PostingProfile, error) {
	panic("unused")
}
func (f *fakeTx) SetOpenItemsStatus(ctx context.Context, tenantID, customerID string, status billing.ItemStatus, at time.Time) (int, error) {
	panic("unused")
}

type fakeProvider struct{ detached []string }

func (p *fakeProvider) Name() string { return "fake" }
func (p *fakeProvider) AttachCard(ctx context.Context, req AttachCardRequest) (ProviderCard, error) {
	if req.Card == "declined" {
		return ProviderCard{}, &DeclineError{Code: "card_declined", Message: "declined"}
	}
	return ProviderCard{ProviderCustomer: "pc1", Token: "tok_" + req.Card, Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2099}, nil
}
func (p *fakeProvider) Charge(ctx context.Context, req ChargeRequest) (ProviderCharge, error) {
	return ProviderCharge{ChargeID: "ch1"}, nil
}
func (p *fakeProvider) Refund(ctx context.Context, req RefundRequest) (ProviderRefund, error) {
	return ProviderRefund{}, nil
}
func (p *fakeProvider) SetupCard(ctx context.Context, providerCustomer string) (string, error) {
	return "seti_fake_secret_" + providerCustomer, nil
}
func (p *fakeProvider) AcceptsCardNumbers() bool { return true }
func (p *fakeProvider) PublishableKey() string   { return "" }
func (p *fakeProvider) DetachCard(ctx context.Context, token string) error {
	p.detached = append(p.detached, token)
	return nil
}

func newFake(checks ...RemovalCheck) (*Service, *fakeTx, *fakeProvider) {
	tx := &fakeTx{customers: map[string]billing.Customer{"c1": {ID: "c1", TenantID: "t1", Name: "Contoso"}}}
	st := fakeStore{tx}
	prov := &fakeProvider{}
	now := func() time.Time { return time.Date(2026, time.May, 10, 9, 0, 0, 0, time.UTC) }
	s := New(Stores{
		PayMethods: usecase.Narrow[PayMethodsTx, *fakeTx](st, func(tx *fakeTx) PayMethodsTx { return tx }),
		Dashboard:  usecase.Narrow[DashboardTx, *fakeTx](st, func(tx *fakeTx) DashboardTx { return tx }),
	}, Deps{Provider: prov, PrimaryRemovalChecks: checks}, now)
	return s, tx, prov
}

func TestPaymentMethodsRefuseFirstAndAuditOnlyWhatCommits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	refuse := func(ctx context.Context, tx PayMethodsTx, tenantID, customerID string) error {
		return fail.Conflictf("the wallet recharges from it")
	}
	s, tx, prov := newFake(refuse)
	first, err := s.AddPaymentMethod(ctx, own, "c1", NewPaymentMethod{Card: " 4242 "})
	if err != nil || !first.Primary || first.Token != "tok_4242" {
		t.Fatalf("the first card = %+v, %v; want it primary", first, err)
	}
	second, err := s.AddPaymentMethod(ctx, staff, "c1", NewPaymentMethod{Card: "5555"})
	if err != nil || second.Primary {
		t.Fatalf("the second card = %+v, %v; want it not primary", second, err)
	}
	if len(tx.audit) != 2 || tx.audit[0].Action != "payment_method.added" || tx.audit[0].ActorID != "u4" {
		t.Fatalf("audit = %+v, want two additions, the first by the customer", tx.audit)
	}
	refusals := []struct {
		name string
		run  func() error
		want fail.Code
	}{
		{"another customer's account", func() error {
			_, err := s.AddPaymentMethod(ctx, own, "c2", NewPaymentMethod{Card: "4242"})
			return err
		}, fail.NotFound},
		{"a role without payments", func() error {
			_, err := s.AddPaymentMethod(ctx, sales, "c1", NewPaymentMethod{Card: "4242"})
			return err
		}, fail.Forbidden},
		{"no card", func() error {
			_, err := s.AddPaymentMethod(ctx, staff, "c1", NewPaymentMethod{Card: "  "})
			return err
		}, fail.Invalid},
		{"a bad expiry", func() error {
			_, err := s.AddPaymentMethod(ctx, staff, "c1", NewPaymentMethod{Card: "4242", ExpMonth: 13, ExpYear: 2030})
			return err
		}, fail.Invalid},
		{"a refused card", func() error {
			_, err := s.AddPaymentMethod(ctx, staff, "c1", NewPaymentMethod{Card: "declined"})
			return err
		}, fail.PaymentFailed},
		{"removing the primary card a check refuses", func() error {
			return s.RemovePaymentMethod(ctx, staff, "c1", first.ID)
		}, fail.Conflict},
		{"another customer's card", func() error {
			return s.RemovePaymentMethod(ctx, staff, "c2", first.ID)
		}, fail.NotFound},
		{"setting primary without payments", func() error {
			_, err := s.SetPrimaryPaymentMethod(ctx, sales, "c1", second.ID)
			return err
		}, fail.Forbidden},
	}
	for _, r := range refusals {
		if got := code(r.run()); got != r.want {
			t.Errorf("%s: %q, want %q", r.name, got, r.want)
		}
	}
	if len(tx.audit) != 2 || len(tx.methods) != 2 || len(prov.detached) != 0 {
		t.Fatalf("refusals left audit %d, cards %d, detached %v; want 2, 2, none", len(tx.audit), len(tx.methods), prov.detached)
	}
	// A card that is not primary is removed without the checks.
	if err := s.RemovePaymentMethod(ctx, own, "c1", second.ID); err != nil {
		t.Fatal(err)
	}
	if len(tx.methods) != 1 || !slices.Equal(prov.detached, []string{"tok_5555"}) || tx.audit[2].Action != "payment_method.removed" {
		t.Errorf("after removing: cards %v, detached %v, audit %+v", tx.methods, prov.detached, tx.audit)
	}
	m, ch, err := s.ChargePrimaryCard(ctx, tx, "t1", "c1", calendar.New(2026, time.May, 10), in("12.5", "EUR"), "top-up", "k1")
	if err != nil || m.ID != first.ID || ch.ChargeID != "ch1" {
		t.Errorf("ChargePrimaryCard = %+v, %+v, %v", m, ch, err)
	}
	if _, _, err := s.ChargePrimaryCard(ctx, tx, "t1", "c2", calendar.New(2026, time.May, 10), in("1", "EUR"), "", "k2"); code(err) != fail.Conflict {
		t.Errorf("charging a customer without a card: %v, want conflict", err)
	}
}

// reads is a fake of the other areas' part of the dashboard.
type reads struct{ wallet, payments bool }

type fakeWallet struct{ Balance decimal.Decimal }

func (r *reads) Wallet(ctx context.Context, tx DashboardTx, tenantID, customerID string) (*fakeWallet, error) {
	r.wallet = true
	return &fakeWallet{Balance: dec("30")}, nil
}
func (r *reads) Invoices(ctx context.Context, tx DashboardTx, tenantID, customerID string, portal bool, limit int) ([]billing.Invoice, error) {
	return nil, nil
}
func (r *reads) Payments(ctx context.Context, tx DashboardTx, tenantID, customerID string, limit int) ([]Received, error) {
	r.payments = true
	return []Received{{ID: "p1", At: time.Unix(20, 0), CardBrand: "visa", CardLast4: "4242", Amount: in("100", "USD"), Currency: "USD", AmountAccounting: in("90", "EUR"),
		Refunds: []ReceivedRefund{{ID: "r1", At: time.Unix(30, 0), Amount: in("10", "USD"), AmountAccounting: in("9", "EUR")}}}}, nil
}
func (r *reads) OpenReceivable(ctx context.Context, tx DashboardTx, tenantID, customerID string, today calendar.Date) (money.Amount, money.Amount, error) {
	return in("70", "EUR"), in("20", "EUR"), nil
}

func TestDashboardShowsWhatTheRoleMaySee(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, _ := newFake()
	cases := []struct {
		name           string
		p              access.Principal
		customer       string
		wallet, paying bool
		err            fail.Code
	}{
		{"finance manager", manager, "c1", true, true, ""},
		{"finance: payments, no wallet", staff, "c1", false, true, ""},
		{"sales: no wallet, no payments", sales, "c1", false, false, ""},
		{"the customer, its own by default", own, "", true, true, ""},
		{"the customer, another account", own, "c2", false, false, fail.NotFound},
		{"an engineer", engineer, "c1", false, false, fail.Forbidden},
	}
	for _, c := range cases {
		r := &reads{}
		d, err := GetDashboard[fakeWallet](ctx, s, r, c.p, c.customer)
		if code(err) != c.err {
			t.Errorf("%s: %v, want %q", c.name, err, c.err)
			continue
		}
		if err != nil {
			if r.wallet || r.payments {
				t.Errorf("%s: refused, yet read wallet %v payments %v", c.name, r.wallet, r.payments)
			}
			continue
		}
		if (d.Wallet != nil) != c.wallet || r.payments != c.paying {
			t.Errorf("%s: wallet %v payments %v, want %v %v", c.name, d.Wallet != nil, r.payments, c.wallet, c.paying)
		}
		if !d.Summary.Open.Equal(in("70", "EUR")) || !d.Summary.PastDue.Equal(in("20", "EUR")) || d.Customer.ID != "c1" {
			t.Errorf("%s: summary %+v customer %s", c.name, d.Summary, d.Customer.ID)
		}
		var ids []string
		for _, tx := range d.Transactions {
			ids = append(ids, tx.ID)
		}
		want := []string{"m1"}
		if c.paying {
			want = []string{"r1", "p1"}
			if c.wallet {
				want = append(want, "m1")
			}
			if !d.Summary.Paid.Equal(in("90", "EUR")) || !d.Summary.Refunded.Equal(in("9", "EUR")) || d.Transactions[1].Reference != "visa ····4242" ||
				d.Transactions[0].Currency != "USD" || !d.Transactions[0].Amount.Equal(in("-10", "USD")) {
				t.Errorf("%s: paid %s refunded %s transactions %+v", c.name, d.Summary.Paid, d.Summary.Refunded, d.Transactions)
			}
		} else if !c.wallet {
			want = nil
		}
		if !slices.Equal(ids, want) {
			t.Errorf("%s: transactions %v, want %v", c.name, ids, want)
		}
		if d.Invoices == nil || d.PaymentMethods == nil {
			t.Errorf("%s: empty lists must be [] not null", c.name)
		}
	}
}
