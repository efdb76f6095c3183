package billing_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/money"
)

// complete returns a customer with every rule satisfied and complete
// billing information.
func complete() billing.Customer {
	return billing.Customer{
		ID:     "cus_01",
		Number: "C-000001",
		Name:   "Ferretería Núñez",
		Contacts: []billing.Contact{
			{Name: "Lucía Núñez", Email: "lucia@ferreteria-nunez.es", Phone: "+34 954 000 000", Role: "facturación"},
		},
		Billing: billing.BillingInfo{
			LegalName: "Ferretería Núñez S.A.",
			Address:   billing.Address{Line1: "Calle Mayor 7", City: "Sevilla", Region: "Andalucía", PostalCode: "41001", Country: "ES"},
			TaxID:     "ESA28123456",
			Email:     "facturas@ferreteria-nunez.es",
			Language:  "es",
			Currency:  "EUR",
		},
		PaymentTermsDays: 30,
		CreditLimit:      money.In(decimal.RequireFromString("10000.00"), "EUR"),
		SalesTaxGroup:    "ES-DOM",
		CustomFields:     map[string]string{"industry": "retail"},
	}
}

func TestCustomerNormalizeValid(t *testing.T) {
	c := complete()
	if err := c.Normalize(); err != nil {
		t.Fatalf("a complete customer is refused: %v", err)
	}
	if !c.HasBillingInfo {
		t.Error("HasBillingInfo = false for a complete customer")
	}
	// A minimal customer: only a name.
	m := billing.Customer{Name: "Contoso"}
	if err := m.Normalize(); err != nil {
		t.Fatalf("a customer with only a name is refused: %v", err)
	}
	if m.HasBillingInfo {
		t.Error("HasBillingInfo = true without billing information")
	}
}

func TestCustomerNormalizeRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("ñ", n) } // multi-byte: limits count characters
	tests := []struct {
		name   string
		change func(c *billing.Customer)
		fields []string                           // fields at fault; nil means valid
		check  func(*testing.T, billing.Customer) // after a valid normalisation
	}{
		// trimming and required name
		{"trims text", func(c *billing.Customer) {
			c.Name, c.Number, c.Billing.Email, c.Billing.LegalName = "  Contoso \t", " C-9 ", " ap@contoso.example ", " Contoso Inc. "
			c.Billing.Address.City = "  Seattle "
			c.Contacts[0].Email = " x@contoso.example "
		}, nil, func(t *testing.T, c billing.Customer) {
			if c.Name != "Contoso" || c.Number != "C-9" || c.Billing.Email != "ap@contoso.example" ||
				c.Billing.LegalName != "Contoso Inc." || c.Billing.Address.City != "Seattle" || c.Contacts[0].Email != "x@contoso.example" {
				t.Errorf("not trimmed: %+v", c)
			}
		}},
		{"name required", func(c *billing.Customer) { c.Name = "" }, []string{"name"}, nil},
		{"name blank", func(c *billing.Customer) { c.Name = " \t " }, []string{"name"}, nil},
		{"name 200 characters", func(c *billing.Customer) { c.Name = long(200) }, nil, nil},
		{"name 201 characters", func(c *billing.Customer) { c.Name = long(201) }, []string{"name"}, nil},
		{"name line break", func(c *billing.Customer) { c.Name = "Contoso\nHosting" }, []string{"name"}, nil},
		{"name tab allowed", func(c *billing.Customer) { c.Name = "Contoso\tHosting" }, nil, nil},
		{"name NUL", func(c *billing.Customer) { c.Name = "Contoso\x00" }, []string{"name"}, nil},
		{"name DEL", func(c *billing.Customer) { c.Name = "Con\x7ftoso" }, []string{"name"}, nil},
		{"name C1 control", func(c *billing.Customer) { c.Name = "Con\u0085toso" }, []string{"name"}, nil},
		{"name invalid UTF-8", func(c *billing.Customer) { c.Name = "Contoso \xff" }, []string{"name"}, nil},
		{"legal name control", func(c *billing.Customer) { c.Billing.LegalName = "A\rB" }, []string{"billing.legal_name"}, nil},
		{"address line control", func(c *billing.Customer) { c.Billing.Address.Line1 = "Calle\x1bMayor" }, []string{"billing.address.line1"}, nil},
		{"custom value control", func(c *billing.Customer) { c.CustomFields = map[string]string{"note": "a\nb"} }, []string{"custom_fields.note"}, nil},
		// number
		{"number optional", func(c *billing.Customer) { c.Number = "" }, nil, nil},
		{"number punctuation", func(c *billing.Customer) { c.Number = "ES/2024_01.a-b" }, nil, nil},
		{"number 32", func(c *billing.Customer) { c.Number = strings.Repeat("9", 32) }, nil, nil},
		{"number 33", func(c *billing.Customer) { c.Number = strings.Repeat("9", 33) }, []string{"number"}, nil},
		{"number leading dash", func(c *billing.Customer) { c.Number = "-C1" }, []string{"number"}, nil},
		{"number space", func(c *billing.Customer) { c.Number = "C 1" }, []string{"number"}, nil},
		{"number accent", func(c *billing.Customer) { c.Number = "Ñ-1" }, []string{"number"}, nil},
		// emails
		{"billing email invalid", func(c *billing.Customer) { c.Billing.Email = "facturas" }, []string{"billing.email"}, nil},
		{"billing email no dot", func(c *billing.Customer) { c.Billing.Email = "facturas@localhost" }, []string{"billing.email"}, nil},
		{"billing email display name", func(c *billing.Customer) { c.Billing.Email = "Facturas <f@x.es>" }, []string{"billing.email"}, nil},
		{"billing email two", func(c *billing.Customer) { c.Billing.Email = "a@x.es, b@x.es" }, []string{"billing.email"}, nil},
		{"contact email required", func(c *billing.Customer) { c.Contacts[0].Email = "" }, []string{"contacts[0].email"}, nil},
		{"contact email invalid", func(c *billing.Customer) {
			c.Contacts = append(c.Contacts, billing.Contact{Name: "B", Email: "b@x.es"}, billing.Contact{Name: "C", Email: "c at x.es"})
		}, []string{"contacts[2].email"}, nil},
		// contacts
		{"contact name optional", func(c *billing.Customer) { c.Contacts[0].Name = "" }, nil, nil},
		{"contact phone 41", func(c *billing.Customer) { c.Contacts[0].Phone = strings.Repeat("1", 41) }, []string{"contacts[0].phone"}, nil},
		{"contact role 41", func(c *billing.Customer) { c.Contacts[0].Role = strings.Repeat("r", 41) }, []string{"contacts[0].role"}, nil},
		{"contact name 201", func(c *billing.Customer) { c.Contacts[0].Name = long(201) }, []string{"contacts[0].name"}, nil},
		{"contacts trimmed", func(c *billing.Customer) {
			c.Contacts[0] = billing.Contact{Name: " Ana ", Email: " ana@x.es ", Phone: " 1 ", Role: " billing "}
		}, nil, func(t *testing.T, c billing.Customer) {
			if c.Contacts[0] != (billing.Contact{Name: "Ana", Email: "ana@x.es", Phone: "1", Role: "billing"}) {
				t.Errorf("contact not trimmed: %+v", c.Contacts[0])
			}
		}},
		{"50 contacts", func(c *billing.Customer) { c.Contacts = contacts(50) }, nil, nil},
		{"51 contacts", func(c *billing.Customer) { c.Contacts = contacts(51) }, []string{"contacts"}, nil},
		{"contact index 10", func(c *billing.Customer) { c.Contacts = contacts(12); c.Contacts[10].Email = "bad" }, []string{"contacts[10].email"}, nil},
		// currency
		{"currency lower case", func(c *billing.Customer) { c.Billing.Currency = " eur " }, nil, func(t *testing.T, c billing.Customer) {
			if c.Billing.Currency != "EUR" {
				t.Errorf("currency %q, want EUR", c.Billing.Currency)
			}
		}},
		{"currency unknown", func(c *billing.Customer) { c.Billing.Currency = "EURO" }, []string{"billing.currency"}, nil},
		{"currency not ISO", func(c *billing.Customer) { c.Billing.Currency = "XYZ" }, []string{"billing.currency"}, nil},
		{"currency optional", func(c *billing.Customer) { c.Billing.Currency = ""; c.CreditLimit = money.Amount{} }, nil, nil},
		// country
		{"country lower case", func(c *billing.Customer) { c.Billing.Address.Country = " es " }, nil, func(t *testing.T, c billing.Customer) {
			if c.Billing.Address.Country != "ES" {
				t.Errorf("country %q, want ES", c.Billing.Address.Country)
			}
		}},
		{"country name", func(c *billing.Customer) { c.Billing.Address.Country = "Spain" }, []string{"billing.address.country"}, nil},
		{"country alpha-3", func(c *billing.Customer) { c.Billing.Address.Country = "ESP" }, []string{"billing.address.country"}, nil},
		{"country UK is not ISO", func(c *billing.Customer) { c.Billing.Address.Country = "UK" }, []string{"billing.address.country"}, nil},
		{"country unassigned", func(c *billing.Customer) { c.Billing.Address.Country = "ZZ" }, []string{"billing.address.country"}, nil},
		{"country region", func(c *billing.Customer) { c.Billing.Address.Country = "EU" }, []string{"billing.address.country"}, nil},
		// language
		{"language pt", func(c *billing.Customer) { c.Billing.Language = "pt" }, nil, wantLanguage("pt-BR")},
		{"language pt_BR", func(c *billing.Customer) { c.Billing.Language = "pt_BR" }, nil, wantLanguage("pt-BR")},
		{"language PT-br", func(c *billing.Customer) { c.Billing.Language = " PT-br " }, nil, wantLanguage("pt-BR")},
		{"language EN", func(c *billing.Customer) { c.Billing.Language = "EN" }, nil, wantLanguage("en")},
		{"language es", func(c *billing.Customer) { c.Billing.Language = "es" }, nil, wantLanguage("es")},
		{"language fr", func(c *billing.Customer) { c.Billing.Language = "fr" }, []string{"billing.language"}, nil},
		{"language pt-PT", func(c *billing.Customer) { c.Billing.Language = "pt-PT" }, []string{"billing.language"}, nil},
		{"language optional", func(c *billing.Customer) { c.Billing.Language = "" }, nil, wantLanguage("")},
		// payment terms
		{"terms 0", func(c *billing.Customer) { c.PaymentTermsDays = 0 }, nil, nil},
		{"terms 365", func(c *billing.Customer) { c.PaymentTermsDays = 365 }, nil, nil},
		{"terms 366", func(c *billing.Customer) { c.PaymentTermsDays = 366 }, []string{"payment_terms_days"}, nil},
		{"terms -1", func(c *billing.Customer) { c.PaymentTermsDays = -1 }, []string{"payment_terms_days"}, nil},
		// credit limit
		{"credit zero", func(c *billing.Customer) { c.CreditLimit = money.Amount{} }, nil, nil},
		{"credit negative", func(c *billing.Customer) { c.CreditLimit = money.In(dec("-0.01"), "") }, []string{"credit_limit"}, nil},
		{"credit EUR 2 decimals", func(c *billing.Customer) { c.CreditLimit = money.In(dec("1234.56"), "") }, nil, nil},
		{"credit EUR trailing zeros", func(c *billing.Customer) { c.CreditLimit = money.In(dec("1234.5600"), "") }, nil, nil},
		{"credit EUR 3 decimals", func(c *billing.Customer) { c.CreditLimit = money.In(dec("1234.567"), "") }, []string{"credit_limit"}, nil},
		{"credit JPY whole", func(c *billing.Customer) { c.Billing.Currency = "JPY"; c.CreditLimit = money.In(dec("500000"), "") }, nil, nil},
		{"credit JPY decimals", func(c *billing.Customer) { c.Billing.Currency = "JPY"; c.CreditLimit = money.In(dec("500000.5"), "") }, []string{"credit_limit"}, nil},
		{"credit BHD 3 decimals", func(c *billing.Customer) { c.Billing.Currency = "BHD"; c.CreditLimit = money.In(dec("100.125"), "") }, nil, nil},
		{"credit BHD 4 decimals", func(c *billing.Customer) { c.Billing.Currency = "BHD"; c.CreditLimit = money.In(dec("100.1255"), "") }, []string{"credit_limit"}, nil},
		{"credit lower-case JPY", func(c *billing.Customer) { c.Billing.Currency = "jpy"; c.CreditLimit = money.In(dec("1.5"), "") }, []string{"credit_limit"}, nil},
		// custom fields
		{"custom key upper case", func(c *billing.Customer) { c.CustomFields = map[string]string{"Industry": "x"} }, []string{"custom_fields.Industry"}, nil},
		{"custom key digit first", func(c *billing.Customer) { c.CustomFields = map[string]string{"1st": "x"} }, []string{"custom_fields.1st"}, nil},
		{"custom key dash", func(c *billing.Customer) { c.CustomFields = map[string]string{"cost-center": "x"} }, []string{"custom_fields.cost-center"}, nil},
		{"custom key empty", func(c *billing.Customer) { c.CustomFields = map[string]string{"": "x"} }, []string{"custom_fields."}, nil},
		{"custom key 40", func(c *billing.Customer) { c.CustomFields = map[string]string{"a" + strings.Repeat("_", 39): "x"} }, nil, nil},
		{"custom key 41", func(c *billing.Customer) { c.CustomFields = map[string]string{strings.Repeat("a", 41): "x"} }, []string{"custom_fields." + strings.Repeat("a", 41)}, nil},
		{"custom value 500", func(c *billing.Customer) { c.CustomFields = map[string]string{"note": long(500)} }, nil, nil},
		{"custom value 501", func(c *billing.Customer) { c.CustomFields = map[string]string{"note": long(501)} }, []string{"custom_fields.note"}, nil},
		{"custom 50 fields", func(c *billing.Customer) { c.CustomFields = customFields(50) }, nil, nil},
		{"custom 51 fields", func(c *billing.Customer) { c.CustomFields = customFields(51) }, []string{"custom_fields"}, nil},
		{"custom fields sorted", func(c *billing.Customer) { c.CustomFields = map[string]string{"Zeta": "", "Alpha": "", "ok": ""} },
			[]string{"custom_fields.Alpha", "custom_fields.Zeta"}, nil},
		// other lengths
		{"tax id 32", func(c *billing.Customer) { c.Billing.TaxID = strings.Repeat("X", 32) }, nil, nil},
		{"tax id 33", func(c *billing.Customer) { c.Billing.TaxID = strings.Repeat("X", 33) }, []string{"billing.tax_id"}, nil},
		{"legal name 201", func(c *billing.Customer) { c.Billing.LegalName = long(201) }, []string{"billing.legal_name"}, nil},
		{"sales tax group 41", func(c *billing.Customer) { c.SalesTaxGroup = long(41) }, []string{"sales_tax_group"}, nil},
		{"sap id 41", func(c *billing.Customer) { c.SAPID = long(41) }, []string{"sap_id"}, nil},
		{"contract 41", func(c *billing.Customer) { c.BillingContractNumber = long(41) }, []string{"billing_contract_number"}, nil},
		{"executive 201", func(c *billing.Customer) { c.SalesAccountExecutive = long(201) }, []string{"sales_account_executive"}, nil},
		{"postal code 21", func(c *billing.Customer) { c.Billing.Address.PostalCode = long(21) }, []string{"billing.address.postal_code"}, nil},
		{"city 101", func(c *billing.Customer) { c.Billing.Address.City = long(101) }, []string{"billing.address.city"}, nil},
		{"region 101", func(c *billing.Customer) { c.Billing.Address.Region = long(101) }, []string{"billing.address.region"}, nil},
		{"line2 201", func(c *billing.Customer) { c.Billing.Address.Line2 = long(201) }, []string{"billing.address.line2"}, nil},
		// links
		{"own parent", func(c *billing.Customer) { c.ParentID = c.ID }, []string{"parent_id"}, nil},
		{"new customer, no id", func(c *billing.Customer) { c.ID = ""; c.ParentID = "" }, nil, nil},
		// every field at fault at once
		{"names every field", func(c *billing.Customer) {
			c.Name = ""
			c.Billing.Email = "nope"
			c.Billing.Currency = "ZZZ"
			c.PaymentTermsDays = 400
			c.Billing.Address.Country = "Narnia"
		}, []string{"name", "billing.address.country", "billing.email", "billing.currency", "payment_terms_days"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := complete()
			tt.change(&c)
			err := c.Normalize()
			got := fieldsOf(t, err)
			if !slices.Equal(got, tt.fields) {
				t.Fatalf("fields at fault %q, want %q (error: %v)", got, tt.fields, err)
			}
			if err == nil && tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func wantLanguage(want string) func(*testing.T, billing.Customer) {
	return func(t *testing.T, c billing.Customer) {
		t.Helper()
		if c.Billing.Language != want {
			t.Errorf("language %q, want %q", c.Billing.Language, want)
		}
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func contacts(n int) []billing.Contact {
	out := make([]billing.Contact, n)
	for i := range out {
		out[i] = billing.Contact{Name: fmt.Sprint("Contact ", i), Email: fmt.Sprintf("c%d@example.com", i)}
	}
	return out
}

func customFields(n int) map[string]string {
	out := map[string]string{}
	for i := range n {
		out[fmt.Sprintf("field_%d", i)] = "v"
	}
	return out
}

// TestHasBillingInfo: legal name, address (line 1, city, country), billing
// email and currency make billing information complete; each one missing
// makes it incomplete, whatever else is set.
func TestHasBillingInfo(t *testing.T) {
	tests := []struct {
		name   string
		change func(*billing.Customer)
		want   bool
	}{
		{"complete", func(*billing.Customer) {}, true},
		{"no tax id", func(c *billing.Customer) { c.Billing.TaxID = "" }, true},
		{"no language", func(c *billing.Customer) { c.Billing.Language = "" }, true},
		{"no line 2, region, postal code", func(c *billing.Customer) {
			c.Billing.Address.Line2, c.Billing.Address.Region, c.Billing.Address.PostalCode = "", "", ""
		}, true},
		{"no contacts", func(c *billing.Customer) { c.Contacts = nil }, true},
		{"no legal name", func(c *billing.Customer) { c.Billing.LegalName = "" }, false},
		{"blank legal name", func(c *billing.Customer) { c.Billing.LegalName = "   " }, false},
		{"no line 1", func(c *billing.Customer) { c.Billing.Address.Line1 = "" }, false},
		{"no city", func(c *billing.Customer) { c.Billing.Address.City = " " }, false},
		{"no country", func(c *billing.Customer) { c.Billing.Address.Country = "" }, false},
		{"no email", func(c *billing.Customer) { c.Billing.Email = "" }, false},
		{"no currency", func(c *billing.Customer) { c.Billing.Currency = ""; c.CreditLimit = money.Amount{} }, false},
		{"no address", func(c *billing.Customer) { c.Billing.Address = billing.Address{} }, false},
		{"nothing", func(c *billing.Customer) { c.Billing = billing.BillingInfo{} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := complete()
			c.HasBillingInfo = !tt.want // Normalize must derive it, not keep it
			tt.change(&c)
			if err := c.Normalize(); err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			if c.HasBillingInfo != tt.want {
				t.Errorf("HasBillingInfo = %v, want %v", c.HasBillingInfo, tt.want)
			}
			if c.Billing.Complete() != tt.want {
				t.Errorf("Billing.Complete() = %v, want %v", c.Billing.Complete(), tt.want)
			}
		})
	}
}

func TestNormalizeIsIdempotent(t *testing.T) {
	c := complete()
	c.Billing.Language, c.Billing.Currency, c.Billing.Address.Country, c.Name = "pt", "brl", "br", "  Padaria São João "
	if err := c.Normalize(); err != nil {
		t.Fatal(err)
	}
	once := c
	once.Contacts = slices.Clone(c.Contacts)
	once.CustomFields = maps.Clone(c.CustomFields)
	if err := c.Normalize(); err != nil {
		t.Fatalf("a normalised customer is refused: %v", err)
	}
	if c.Name != once.Name || c.Billing != once.Billing || !slices.Equal(c.Contacts, once.Contacts) || c.HasBillingInfo != once.HasBillingInfo {
		t.Errorf("second Normalize changed the customer:\n%+v\n%+v", once, c)
	}
}

func TestFold(t *testing.T) {
	tests := map[string]string{
		"Ferretería NÚÑEZ São João":   "ferreteria nunez sao joao",
		"Clínica Dental Peña":         "clinica dental pena",
		"Construções Araújo & Filhos": "construcoes araujo & filhos",
		"ÀÉÎÕÜ çÇ":                    "aeiou cc",
		"plain ascii 123":             "plain ascii 123",
		"":                            "",
	}
	for in, want := range tests {
		if got := billing.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	// Composed and decomposed forms fold alike.
	if billing.Fold("Jo\u00e3o") != billing.Fold("Joa\u0303o") {
		t.Error("NFC and NFD forms fold differently")
	}
}

func TestSearchText(t *testing.T) {
	c := complete()
	c.SAPID, c.BillingContractNumber = "0010004712", "BC-2024-0002"
	s := c.SearchText()
	for _, want := range []string{"c-000001", "ferreteria nunez", "ferreteria nunez s.a.", "facturas@ferreteria-nunez.es", "esa28123456", "0010004712", "bc-2024-0002"} {
		if !strings.Contains(s, want) {
			t.Errorf("search text %q lacks %q", s, want)
		}
	}
}

func TestInvoiceAccount(t *testing.T) {
	c := billing.Customer{ID: "cus_a"}
	if c.InvoiceAccount() != "cus_a" {
		t.Errorf("InvoiceAccount() = %q without an invoice account", c.InvoiceAccount())
	}
	c.InvoiceAccountID = "cus_b"
	if c.InvoiceAccount() != "cus_b" {
		t.Errorf("InvoiceAccount() = %q", c.InvoiceAccount())
	}
}
