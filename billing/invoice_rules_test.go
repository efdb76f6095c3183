package billing_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/tax"
)

// rulesCustomer is a customer with complete billing information in USD,
// Spanish, 30 days' terms.
func rulesCustomer() billing.Customer {
	return billing.Customer{ID: "cus_1", Number: "C-1", Name: "Acme", PaymentTermsDays: 30, PostingProfile: "DOMESTIC",
		SAPID: "SAP-9", BillingContractNumber: "BC-1", SalesAccountExecutive: "Ana",
		Billing: billing.BillingInfo{LegalName: "Acme S.L.", Address: billing.Address{Line1: "Calle 1", City: "Madrid", Country: "ES"},
			TaxID: "ESB1", Email: "ap@acme.test", Language: "es", Currency: "USD"}}
}

func rulesTenant() billing.Tenant {
	return billing.Tenant{Name: "Seller", Currency: "EUR", Language: "pt-BR", TimeZone: "Europe/Madrid"}
}

func TestInvoiceNormalizeDefaults(t *testing.T) {
	t.Parallel()
	cust := rulesCustomer()
	billTo := cust
	billTo.ID, billTo.Number, billTo.Name = "cus_parent", "C-0", "Acme Group"
	billTo.Billing.LegalName = ""
	inv := billing.Invoice{InvoiceDate: calendar.MustParse("2026-03-01"), ExchangeRate: d("0.9"), Provider: "  Cloud  "}
	if err := inv.Normalize(cust, billTo, rulesTenant()); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"kind", inv.Kind, billing.KindInvoice},
		{"bill-to account", inv.InvoiceAccountID, "cus_parent"},
		{"bill-to number", inv.BillTo.CustomerNumber, "C-0"},
		{"legal name falls back to the name", inv.BillTo.LegalName, "Acme Group"},
		{"customer's SAP id", inv.BillTo.SAPID, "SAP-9"},
		{"currency from the bill-to account", inv.Currency, "USD"},
		{"language from the bill-to account", inv.Language, "es"},
		{"terms from the customer", inv.PaymentTermsDays, 30},
		{"document date", inv.DocumentDate, calendar.MustParse("2026-03-01")},
		{"due date from the terms", inv.DueDate, calendar.MustParse("2026-03-31")},
		{"provider trimmed", inv.Provider, "Cloud"},
		{"posting profile", inv.PostingProfile, "DOMESTIC"},
		{"custom fields not nil", inv.CustomFields != nil && inv.ExternalRefs != nil, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestInvoiceNormalizeLanguageAndCurrency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		invLang, custLang string
		invCur, custCur   string
		wantLang, wantCur string
		wantRate          string
		rate              string
	}{
		{"all from the document", "pt", "es", "usd", "GBP", "pt-BR", "USD", "0.9", "0.9"},
		{"bill-to's language and currency", "", "es", "", "GBP", "es", "GBP", "1.1", "1.1"},
		{"tenant's language and currency", "", "", "", "", "pt-BR", "EUR", "1", ""},
		{"accounting currency sets the rate to 1", "EN", "", "eur", "", "en", "EUR", "1", "1.000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cust := rulesCustomer()
			cust.Billing.Language, cust.Billing.Currency = tt.custLang, tt.custCur
			inv := billing.Invoice{Language: tt.invLang, Currency: tt.invCur}
			if tt.rate != "" {
				inv.ExchangeRate = d(tt.rate)
			}
			if err := inv.Normalize(cust, cust, rulesTenant()); err != nil {
				t.Fatal(err)
			}
			if inv.Language != tt.wantLang || inv.Currency != tt.wantCur || !inv.ExchangeRate.Equal(d(tt.wantRate)) {
				t.Errorf("language %q currency %q rate %s, want %q %q %s", inv.Language, inv.Currency, inv.ExchangeRate, tt.wantLang, tt.wantCur, tt.wantRate)
			}
		})
	}
}

func TestInvoiceNormalizeRefuses(t *testing.T) {
	t.Parallel()
	day := calendar.MustParse
	tests := []struct {
		name   string
		change func(*billing.Invoice)
		fields []string
	}{
		{"valid", func(*billing.Invoice) {}, nil},
		{"unknown kind", func(i *billing.Invoice) { i.Kind = "receipt" }, []string{"kind"}},
		{"unknown currency", func(i *billing.Invoice) { i.Currency = "XXY" }, []string{"currency"}},
		{"rate other than 1 in the accounting currency", func(i *billing.Invoice) { i.Currency, i.ExchangeRate = "EUR", d("1.1") }, []string{"exchange_rate"}},
		{"no rate for a foreign currency", func(i *billing.Invoice) { i.ExchangeRate = d("0") }, []string{"exchange_rate"}},
		{"negative rate", func(i *billing.Invoice) { i.ExchangeRate = d("-1") }, []string{"exchange_rate"}},
		{"rate with 11 decimals", func(i *billing.Invoice) { i.ExchangeRate = d("0.12345678901") }, []string{"exchange_rate"}},
		{"unsupported language", func(i *billing.Invoice) { i.Language = "fr" }, []string{"language"}},
		{"negative terms", func(i *billing.Invoice) { i.PaymentTermsDays = -1 }, []string{"due_date", "payment_terms_days"}},
		{"terms beyond a year", func(i *billing.Invoice) { i.PaymentTermsDays = 366 }, []string{"payment_terms_days"}},
		{"due before the invoice date", func(i *billing.Invoice) { i.DueDate = day("2026-02-28") }, []string{"due_date"}},
		{"period end before start", func(i *billing.Invoice) { i.PeriodStart, i.PeriodEnd = day("2026-03-02"), day("2026-03-01") }, []string{"period_end"}},
		{"cash discount above 100", func(i *billing.Invoice) { i.CashDiscountPct, i.CashDiscountDate = d("100.01"), day("2026-03-05") }, []string{"cash_discount_percent"}},
		{"negative cash discount", func(i *billing.Invoice) { i.CashDiscountPct, i.CashDiscountDate = d("-1"), day("2026-03-05") }, []string{"cash_discount_percent"}},
		{"cash discount without date", func(i *billing.Invoice) { i.CashDiscountPct = d("2") }, []string{"cash_discount_date"}},
		{"cash discount date after due", func(i *billing.Invoice) { i.CashDiscountPct, i.CashDiscountDate = d("2"), day("2026-04-01") }, []string{"cash_discount_date"}},
		{"too many installments", func(i *billing.Invoice) {
			for k := range billing.MaxInstallment + 1 {
				i.PaymentSchedule = append(i.PaymentSchedule, billing.Installment{DueDate: day("2026-03-01").AddDays(k), Amount: eur(d("1"))})
			}
		}, []string{"payment_schedule"}},
		{"installment without date or amount", func(i *billing.Invoice) {
			i.PaymentSchedule = []billing.Installment{{Amount: eur(d("0"))}}
		}, []string{"payment_schedule[0].amount", "payment_schedule[0].due_date"}},
		{"installments out of order", func(i *billing.Invoice) {
			i.PaymentSchedule = []billing.Installment{{DueDate: day("2026-03-10"), Amount: eur(d("1"))}, {DueDate: day("2026-03-10"), Amount: eur(d("1"))}}
		}, []string{"payment_schedule[1].due_date"}},
		{"provider too long", func(i *billing.Invoice) { i.Provider = strings.Repeat("p", 101) }, []string{"provider"}},
		{"notes too long", func(i *billing.Invoice) { i.Notes = strings.Repeat("ñ", 4001) }, []string{"notes"}},
		{"notes of 4000 characters with line breaks", func(i *billing.Invoice) { i.Notes = strings.Repeat("ñ\n", 2000) }, nil},
		{"bad custom field name", func(i *billing.Invoice) { i.CustomFields = map[string]string{"Bad Key": "x"} }, []string{"custom_fields.Bad Key"}},
		{"bad external ref name", func(i *billing.Invoice) { i.ExternalRefs = map[string]string{"9x": "x"} }, []string{"external_refs.9x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := billing.Invoice{InvoiceDate: calendar.MustParse("2026-03-01"), ExchangeRate: d("0.9")}
			tt.change(&inv)
			cust := rulesCustomer()
			if got := invalidFields(t, inv.Normalize(cust, cust, rulesTenant())); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
		})
	}
}

func TestCurrencyFor(t *testing.T) {
	t.Parallel()
	tests := []struct{ doc, billTo, tenant, want string }{
		{" usd ", "GBP", "EUR", "USD"},
		{"", "gbp", "EUR", "GBP"},
		{"", "", "eur", "EUR"},
	}
	for _, tt := range tests {
		inv := billing.Invoice{Currency: tt.doc}
		billTo := billing.Customer{Billing: billing.BillingInfo{Currency: tt.billTo}}
		if got := inv.CurrencyFor(billTo, billing.Tenant{Currency: tt.tenant}); got != tt.want {
			t.Errorf("CurrencyFor(%q, %q, %q) = %q, want %q", tt.doc, tt.billTo, tt.tenant, got, tt.want)
		}
	}
}

func TestCheckSchedule(t *testing.T) {
	t.Parallel()
	day := calendar.MustParse("2026-03-01")
	tests := []struct {
		name    string
		amounts []string
		ok      bool
	}{
		{"no schedule", nil, true},
		{"one installment of the total", []string{"121.00"}, true},
		{"installments that sum to the total", []string{"60.50", "60.5"}, true},
		{"a cent short", []string{"60.50", "60.49"}, false},
		{"a cent over", []string{"121.01"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := billing.Invoice{Currency: "EUR", Totals: billing.Totals{Total: eur(d("121"))}}
			for i, a := range tt.amounts {
				inv.PaymentSchedule = append(inv.PaymentSchedule, billing.Installment{DueDate: day.AddDays(i), Amount: eur(d(a))})
			}
			err := inv.CheckSchedule()
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckSchedule = %v", err)
				}
				return
			}
			if got := invalidFields(t, err); !slices.Equal(got, []string{"payment_schedule"}) {
				t.Fatalf("fields %v", got)
			}
			if !strings.Contains(err.Error(), "the total is 121.00") {
				t.Errorf("message %q does not show the total with its currency's digits", err)
			}
		})
	}
}

// issuable is a draft that CheckIssuable accepts.
func issuable() billing.Invoice {
	return billing.Invoice{Kind: billing.KindInvoice, Status: billing.Draft, DocumentNumber: "D-1", Currency: "EUR",
		DueDate: calendar.MustParse("2026-03-31"),
		BillTo:  billing.Party{CustomerNumber: "C-1", LegalName: "Acme", Address: billing.Address{Line1: "a", City: "b", Country: "ES"}},
		Lines:   []billing.Line{{Description: "x", Amount: eur(d("10"))}},
		Totals:  billing.Totals{Net: eur(d("10")), Total: eur(d("10")), Balance: eur(d("10"))}}
}

func TestCheckIssuable(t *testing.T) {
	t.Parallel()
	today := calendar.MustParse("2026-03-09")
	tests := []struct {
		name   string
		change func(*billing.Invoice)
		code   fail.Code
		substr string
	}{
		{"draft", func(*billing.Invoice) {}, "", ""},
		{"approved", func(i *billing.Invoice) { i.Status = billing.Approved }, "", ""},
		{"zero total", func(i *billing.Invoice) { i.Total = eur(d("0")) }, "", ""},
		{"hold ended today", func(i *billing.Invoice) { i.HoldUntil = today }, "", ""},
		{"already open", func(i *billing.Invoice) { i.Status = billing.Open }, fail.Conflict, "only a draft can be issued"},
		{"no lines", func(i *billing.Invoice) { i.Lines = nil }, fail.Invalid, "at least one line"},
		{"negative invoice", func(i *billing.Invoice) { i.Total = eur(d("-1")) }, fail.Invalid, "must be a credit note"},
		{"negative credit note", func(i *billing.Invoice) { i.Kind, i.Total = billing.KindCreditNote, eur(d("-1")) }, fail.Invalid, "credits a positive amount"},
		{"on hold", func(i *billing.Invoice) { i.HoldUntil = today.AddDays(1) }, fail.Conflict, "on hold until 2026-03-10"},
		{"no legal name", func(i *billing.Invoice) { i.BillTo.LegalName = "" }, fail.Invalid, "no complete billing information"},
		{"incomplete address", func(i *billing.Invoice) { i.BillTo.Address.City = " " }, fail.Invalid, "C-1"},
		{"schedule off the total", func(i *billing.Invoice) {
			i.PaymentSchedule = []billing.Installment{{DueDate: today, Amount: eur(d("9"))}}
		}, fail.Invalid, "installments add up to 9.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := issuable()
			tt.change(&inv)
			err := inv.CheckIssuable(today)
			wantCode(t, err, tt.code)
			if err != nil && !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("CheckIssuable = %q, want it to contain %q", err, tt.substr)
			}
		})
	}
}

func TestCheckLineTaxes(t *testing.T) {
	t.Parallel()
	taxed := setup(tax.PerCode)
	taxed.Codes["NS"] = tax.Code{Code: "NS", Name: "No reason", Rate: d("0"), Category: tax.Exempt, Account: "2100"}
	line := func(sales, item string, codes ...string) billing.Line {
		return billing.Line{Description: "x", SalesTaxGroup: sales, ItemSalesTaxGroup: item, TaxCodes: codes}
	}
	tests := []struct {
		name   string
		setup  billing.TaxSetup
		lines  []billing.Line
		fields []string
		substr string
	}{
		{"untaxed tenant, no codes", billing.TaxSetup{}, []billing.Line{line("", "")}, nil, ""},
		{"one code per line", taxed, []billing.Line{line("DOM", "FULL", "V21"), line("DOM", "EXM", "EX")}, nil, ""},
		{"no sales group", taxed, []billing.Line{line("", "FULL")}, []string{"lines[0].sales_tax_group"}, "the customer has no sales tax group"},
		{"no item group", taxed, []billing.Line{line("DOM", "FULL", "V21"), line("DOM", "")}, []string{"lines[1].item_sales_tax_group"}, "choose an item sales tax group"},
		{"groups share no code", taxed, []billing.Line{line("DOM", "OTHER")}, []string{"lines[0].item_sales_tax_group"}, `"OTHER" and sales tax group "DOM" share no tax code`},
		{"exempt code without reason", taxed, []billing.Line{line("DOM", "X", "NS")}, []string{"lines[0].item_sales_tax_group"}, "states no exemption reason"},
		{"unknown code passes", taxed, []billing.Line{line("DOM", "X", "GONE")}, nil, ""},
		{"two codes", taxed, []billing.Line{line("DOM", "BOTH", "V10", "V21")}, []string{"lines[0].item_sales_tax_group"}, "2 tax codes apply (V10, V21)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.setup.Taxed() != (len(tt.setup.Codes) > 0) {
				t.Fatal("Taxed disagrees with the codes")
			}
			inv := billing.Invoice{Lines: tt.lines}
			err := inv.CheckLineTaxes(tt.setup)
			if got := invalidFields(t, err); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
			if err != nil && !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("message %q lacks %q", err, tt.substr)
			}
		})
	}
}

func TestTaxed(t *testing.T) {
	t.Parallel()
	if (billing.TaxSetup{}).Taxed() || !setup(tax.PerCode).Taxed() {
		t.Error("Taxed: an empty setup must be untaxed and one with codes taxed")
	}
}

func TestCheckStatusChange(t *testing.T) {
	t.Parallel()
	today := calendar.MustParse("2026-04-15")
	tests := []struct {
		name     string
		from     billing.Status
		change   func(*billing.Invoice)
		to       billing.Status
		approval bool
		code     fail.Code
		allowed  []string // the error's Allowed, when it is a refused transition
	}{
		{"draft to open", billing.Draft, nil, billing.Open, false, "", nil},
		{"draft to submitted", billing.Draft, nil, billing.Submitted, true, "", nil},
		{"submit without lines", billing.Draft, func(i *billing.Invoice) { i.Lines = nil }, billing.Submitted, true, fail.Invalid, nil},
		{"draft to open needs approval", billing.Draft, nil, billing.Open, true, fail.Conflict, []string{"submitted"}},
		{"approved to open with approval", billing.Approved, nil, billing.Open, true, "", nil},
		{"open to past due", billing.Open, nil, billing.PastDue, false, "", nil},
		{"open to past due before due", billing.Open, func(i *billing.Invoice) { i.DueDate = today }, billing.PastDue, false, fail.Conflict, nil},
		{"open to past due without balance", billing.Open, func(i *billing.Invoice) { i.Balance = eur(d("0")) }, billing.PastDue, false, fail.Conflict, nil},
		{"open to void", billing.Open, nil, billing.Void, false, "", nil},
		{"void with a payment", billing.Open, func(i *billing.Invoice) { i.Paid, i.Balance = eur(d("1")), eur(d("9")) }, billing.Void, false, fail.Conflict, nil},
		{"void settled against a credit note", billing.Open, func(i *billing.Invoice) { i.Balance = eur(d("4")) }, billing.Void, false, fail.Conflict, nil},
		{"open to closed", billing.Open, nil, billing.Closed, false, "", nil},
		{"open back to draft", billing.Open, nil, billing.Draft, false, fail.Conflict, []string{"past_due", "closed", "void"}},
		{"closed goes nowhere", billing.Closed, nil, billing.Open, false, fail.Conflict, []string{}},
		{"void goes nowhere", billing.Void, nil, billing.Closed, false, fail.Conflict, []string{}},
		{"draft to closed", billing.Draft, nil, billing.Closed, false, fail.Conflict, []string{"submitted", "open"}},
		{"draft to closed with approval", billing.Draft, nil, billing.Closed, true, fail.Conflict, []string{"submitted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := issuable()
			inv.Status, inv.Number = tt.from, "INV-1"
			if tt.change != nil {
				tt.change(&inv)
			}
			err := inv.CheckStatusChange(tt.to, billing.StatusContext{Today: today, ApprovalRequired: tt.approval})
			wantCode(t, err, tt.code)
			if tt.allowed != nil {
				e, _ := fail.As(err)
				if !slices.Equal(e.Allowed, tt.allowed) {
					t.Errorf("allowed %q, want %q", e.Allowed, tt.allowed)
				}
			}
		})
	}
}

func TestAllowedStatuses(t *testing.T) {
	t.Parallel()
	today := calendar.MustParse("2026-04-15")
	tests := []struct {
		from     billing.Status
		approval bool
		want     []billing.Status
	}{
		{billing.Draft, false, []billing.Status{billing.Submitted, billing.Open}},
		{billing.Draft, true, []billing.Status{billing.Submitted}},
		{billing.Submitted, true, []billing.Status{billing.Approved, billing.Draft}},
		{billing.Approved, true, []billing.Status{billing.Open, billing.Draft}},
		{billing.Open, false, []billing.Status{billing.PastDue, billing.Closed, billing.Void}},
		{billing.PastDue, false, []billing.Status{billing.Closed, billing.Void}},
		{billing.Closed, false, []billing.Status{}},
	}
	for _, tt := range tests {
		inv := issuable()
		inv.Status = tt.from
		got := inv.AllowedStatuses(billing.StatusContext{Today: today, ApprovalRequired: tt.approval})
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s (approval %v): allowed %v, want %v", tt.from, tt.approval, got, tt.want)
		}
		if next := tt.from.Next(); len(next) < len(got) {
			t.Errorf("%s: Next %v is shorter than the allowed %v", tt.from, next, got)
		}
	}
}
