package accounts_test

// The account use cases on the real store of both engines, wired straight
// onto it through their own narrow transactions: every write is refused
// before it reads its input when the caller lacks the permission, and a
// write that fails in its transaction leaves neither its change nor an
// audit entry. The behaviour tests of each use case are the root service's
// (customers_test.go, paymethods_test.go, subscriptions_test.go, …).

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/service/accounts"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/store"
)

var errItem = errors.New("the sales area refused the item")

// newAccounts wires the area onto db; completing a subscription's sales
// item always fails, so a subscription that bills at once rolls back.
func newAccounts(db *store.DB) *accounts.Service {
	return accounts.New(accounts.Stores{
		Customers:     usecase.Narrow[accounts.CustomersTx, service.Tx](db, func(tx service.Tx) accounts.CustomersTx { return tx }),
		PayMethods:    usecase.Narrow[accounts.PayMethodsTx, service.Tx](db, func(tx service.Tx) accounts.PayMethodsTx { return tx }),
		Subscriptions: usecase.Narrow[accounts.SubscriptionsTx, service.Tx](db, func(tx service.Tx) accounts.SubscriptionsTx { return tx }),
		Dashboard:     usecase.Narrow[accounts.DashboardTx, service.Tx](db, func(tx service.Tx) accounts.DashboardTx { return tx }),
	}, accounts.Deps{
		Provider: testcard.New(),
		CompleteItem: func(ctx context.Context, tx accounts.SubscriptionsTx, tenantID string, si *billing.SalesItem, fromProduct bool) error {
			return errItem
		},
	}, func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) })
}

// rows counts the rows of the tables the account use cases write.
func rows(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range []string{"customers", "payment_methods", "subscriptions", "sales_items", "audit_log"} {
		var n int
		if err := db.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM `+tb).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", tb, err)
		}
		out[tb] = n
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestAccountWritesRefuseFirstAndLeaveNothingWhenTheyFail(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		root := service.New(db)
		tn, err := root.CreateTenant(ctx, billing.Tenant{Name: "Accounts S.A.", Currency: "EUR", TimeZone: "Europe/Madrid"})
		if err != nil {
			t.Fatal(err)
		}
		admin := access.Principal{TenantID: tn.ID, UserID: "usr_admin", Role: access.Administrator, Name: "Admin"}
		engineer := access.Principal{TenantID: tn.ID, UserID: "usr_eng", Role: access.Engineer, Name: "Eng"}
		prod, err := root.CreateProduct(ctx, admin, service.ProductInput{Code: ptr("SAAS"), Name: ptr("Plan"), ChargeType: ptr("recurring"),
			DefaultPrice: ptr("10.00"), Currency: ptr("EUR")})
		if err != nil {
			t.Fatal(err)
		}
		a := newAccounts(db)
		cust, err := a.CreateCustomer(ctx, admin, accounts.CustomerInput{Name: ptr("Contoso")})
		if err != nil || cust.Number != "C-000001" {
			t.Fatalf("CreateCustomer = %+v, %v", cust, err)
		}
		other, err := a.CreateCustomer(ctx, admin, accounts.CustomerInput{Name: ptr("Fabrikam")})
		if err != nil {
			t.Fatal(err)
		}
		card, err := a.AddPaymentMethod(ctx, admin, cust.ID, accounts.NewPaymentMethod{Card: "4242424242424242", ExpMonth: 12, ExpYear: 2099})
		if err != nil || !card.Primary {
			t.Fatalf("AddPaymentMethod = %+v, %v", card, err)
		}
		portal := access.Principal{TenantID: tn.ID, UserID: "usr_portal", Role: access.Customer, CustomerID: other.ID, Name: "Portal"}
		before := rows(t, db)
		if before["audit_log"] < 3 {
			t.Fatalf("the setup left %d audit entries, want one per write", before["audit_log"])
		}
		bad := "\x00" // invalid wherever it goes: the refusal must come before the input check
		cases := []struct {
			name string
			call func() error
			code fail.Code
		}{
			// refused before the input is read
			{"CreateCustomer by an engineer", func() error {
				_, err := a.CreateCustomer(ctx, engineer, accounts.CustomerInput{Name: &bad})
				return err
			}, fail.Forbidden},
			{"UpdateCustomer by an engineer", func() error {
				_, err := a.UpdateCustomer(ctx, engineer, cust.ID, accounts.CustomerInput{Name: &bad})
				return err
			}, fail.Forbidden},
			{"UpdateCustomer of another account by a customer", func() error {
				_, err := a.UpdateCustomer(ctx, portal, cust.ID, accounts.CustomerInput{Billing: &accounts.BillingInput{Email: &bad}})
				return err
			}, fail.NotFound},
			{"SetCustomerArchived by an engineer", func() error {
				_, err := a.SetCustomerArchived(ctx, engineer, cust.ID, true)
				return err
			}, fail.Forbidden},
			{"AddPaymentMethod by an engineer", func() error {
				_, err := a.AddPaymentMethod(ctx, engineer, cust.ID, accounts.NewPaymentMethod{Card: bad})
				return err
			}, fail.Forbidden},
			{"AddPaymentMethod on another account by a customer", func() error {
				_, err := a.AddPaymentMethod(ctx, portal, cust.ID, accounts.NewPaymentMethod{Card: bad})
				return err
			}, fail.NotFound},
			{"RemovePaymentMethod by an engineer", func() error {
				return a.RemovePaymentMethod(ctx, engineer, cust.ID, card.ID)
			}, fail.Forbidden},
			{"SetPrimaryPaymentMethod on another account by a customer", func() error {
				_, err := a.SetPrimaryPaymentMethod(ctx, portal, cust.ID, card.ID)
				return err
			}, fail.NotFound},
			{"CreateSubscription by an engineer", func() error {
				_, err := a.CreateSubscription(ctx, engineer, accounts.SubscriptionInput{CustomerID: cust.ID, Quantity: bad})
				return err
			}, fail.Forbidden},
			{"ChangeSubscription by an engineer", func() error {
				_, err := a.ChangeSubscription(ctx, engineer, "sub_x", accounts.SubscriptionChange{Action: bad})
				return err
			}, fail.Forbidden},
			// refused in the transaction, after writing some of the change
			{"CreateCustomer with a parent that does not exist", func() error {
				_, err := a.CreateCustomer(ctx, admin, accounts.CustomerInput{Name: ptr("Orphan"), ParentID: ptr("cus_missing")})
				return err
			}, fail.Invalid},
			{"UpdateCustomer with a posting profile that does not exist", func() error {
				_, err := a.UpdateCustomer(ctx, admin, cust.ID, accounts.CustomerInput{Name: ptr("Renamed"), PostingProfile: ptr("NOPE")})
				return err
			}, fail.Invalid},
			{"SetCustomerArchived of a customer not archived", func() error {
				_, err := a.SetCustomerArchived(ctx, admin, cust.ID, false)
				return err
			}, fail.Conflict},
			{"AddPaymentMethod of a card the provider declines", func() error {
				_, err := a.AddPaymentMethod(ctx, admin, cust.ID, accounts.NewPaymentMethod{Card: "4000000000000002", ExpMonth: 12, ExpYear: 2099})
				return err
			}, fail.PaymentFailed},
			{"CreateSubscription for a customer that does not exist", func() error {
				_, err := a.CreateSubscription(ctx, admin, accounts.SubscriptionInput{CustomerID: "cus_missing", Kind: "saas", ProductID: prod.ID, Quantity: "1", Interval: "monthly"})
				return err
			}, fail.Invalid},
		}
		for _, c := range cases {
			if err := c.call(); !fail.Is(err, c.code) {
				t.Errorf("%s: %v, want %s", c.name, err, c.code)
			}
		}
		// A subscription that starts today is saved, then its first period
		// fails to bill: the whole write rolls back.
		if _, err := a.CreateSubscription(ctx, admin, accounts.SubscriptionInput{CustomerID: cust.ID, Kind: "saas", ProductID: prod.ID, Quantity: "1",
			Interval: "monthly", Start: calendar.Today(time.Now(), time.UTC).AddDays(-1)}); !errors.Is(err, errItem) {
			t.Errorf("CreateSubscription whose item fails: %v, want the item's error", err)
		}
		after := rows(t, db)
		for tb, n := range after {
			if n != before[tb] {
				t.Errorf("%s: %d rows before, %d after writes that failed", tb, before[tb], n)
			}
		}
		// The next customer number is the one the failed create gave back.
		next, err := a.CreateCustomer(ctx, admin, accounts.CustomerInput{Name: ptr("Northwind")})
		if err != nil || next.Number != "C-000003" {
			t.Errorf("the customer after a failed create = %q, %v; want C-000003", next.Number, err)
		}
		if got := rows(t, db)["audit_log"]; got != after["audit_log"]+1 {
			t.Errorf("a create left %d audit entries, want 1", got-after["audit_log"])
		}
	})
}
