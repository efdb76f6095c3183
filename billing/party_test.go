package billing_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/facturo/facturo/billing"
)

func TestValidEmail(t *testing.T) {
	tests := map[string]bool{
		"a@b.co":                           true,
		"first.last+tag@example.co.uk":     true,
		"Mixed@Example.COM":                true,
		"":                                 false,
		"plain":                            false,
		"a@b":                              false,
		"@b.co":                            false,
		"a@":                               false,
		"a b@c.de":                         false,
		"<a@b.co>":                         false,
		"Name <a@b.co>":                    false,
		"a@b.co, c@d.co":                   false,
		"a@b.co\n":                         false,
		"a..b@c.de":                        false,
		strings.Repeat("a", 250) + "@b.co": false, // longer than 254
	}
	for in, want := range tests {
		if got := billing.ValidEmail(in); got != want {
			t.Errorf("ValidEmail(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestValidCountry(t *testing.T) {
	for _, c := range []string{"ES", "PT", "BR", "US", "GB", "DE", "MX", "JP", "BH"} {
		if !billing.ValidCountry(c) {
			t.Errorf("ValidCountry(%q) = false", c)
		}
	}
	for _, c := range []string{"", "es", "E", "ESP", "ZZ", "XX", "AA", "EU", "001", "419",
		// Reserved, not assigned: an invoice naming them fails EN 16931's country code list.
		"UK", "UN", "EZ", "FX", "AC", "DG", "EA", "IC", "TA", "CP",
		// Withdrawn.
		"YU", "SU", "DD", "ZR", "AN", "CS", "TP", "BU", "NT"} {
		if billing.ValidCountry(c) {
			t.Errorf("ValidCountry(%q) = true", c)
		}
	}
}

func TestValidTimeZone(t *testing.T) {
	for _, tz := range []string{"UTC", "Europe/Madrid", "America/Sao_Paulo", "Europe/Lisbon", "America/New_York"} {
		if !billing.ValidTimeZone(tz) {
			t.Errorf("ValidTimeZone(%q) = false", tz)
		}
	}
	for _, tz := range []string{"", "Local", "Mars/Olympus_Mons", "europe/madrid!", "../../etc/passwd", "/etc/localtime", "+01:00"} {
		if billing.ValidTimeZone(tz) {
			t.Errorf("ValidTimeZone(%q) = true", tz)
		}
	}
}

func TestTenantNormalize(t *testing.T) {
	base := func() billing.Tenant {
		return billing.Tenant{Name: "Nimbus Cloud Services", Currency: "EUR", TimeZone: "Europe/Madrid", Language: "es",
			Address: billing.Address{Line1: "Calle de Alcalá 48", City: "Madrid", Country: "ES"}}
	}
	tests := []struct {
		name   string
		change func(*billing.Tenant)
		fields []string
		check  func(*testing.T, billing.Tenant)
	}{
		{"valid", func(*billing.Tenant) {}, nil, nil},
		{"defaults", func(tn *billing.Tenant) { tn.TimeZone, tn.Language, tn.LegalName = "", "", "" }, nil, func(t *testing.T, tn billing.Tenant) {
			if tn.TimeZone != "UTC" || tn.Language != "en" || tn.LegalName != "Nimbus Cloud Services" {
				t.Errorf("defaults: time zone %q, language %q, legal name %q", tn.TimeZone, tn.Language, tn.LegalName)
			}
		}},
		{"trims", func(tn *billing.Tenant) { tn.Name, tn.LegalName = " Nimbus ", " Nimbus S.L. " }, nil, func(t *testing.T, tn billing.Tenant) {
			if tn.Name != "Nimbus" || tn.LegalName != "Nimbus S.L." {
				t.Errorf("not trimmed: %q %q", tn.Name, tn.LegalName)
			}
		}},
		{"language pt", func(tn *billing.Tenant) { tn.Language = "pt" }, nil, func(t *testing.T, tn billing.Tenant) {
			if tn.Language != "pt-BR" {
				t.Errorf("language %q", tn.Language)
			}
		}},
		{"currency lower case", func(tn *billing.Tenant) { tn.Currency = "brl" }, nil, func(t *testing.T, tn billing.Tenant) {
			if tn.Currency != "BRL" {
				t.Errorf("currency %q", tn.Currency)
			}
		}},
		{"country lower case", func(tn *billing.Tenant) { tn.Address.Country = "pt" }, nil, func(t *testing.T, tn billing.Tenant) {
			if tn.Address.Country != "PT" {
				t.Errorf("country %q", tn.Address.Country)
			}
		}},
		{"currency required", func(tn *billing.Tenant) { tn.Currency = "" }, []string{"currency"}, nil},
		{"currency unknown", func(tn *billing.Tenant) { tn.Currency = "EURO" }, []string{"currency"}, nil},
		{"name required", func(tn *billing.Tenant) { tn.Name = "  " }, []string{"name"}, nil},
		{"name control", func(tn *billing.Tenant) { tn.Name = "Nim\nbus" }, []string{"name", "legal_name"}, nil},
		{"time zone unknown", func(tn *billing.Tenant) { tn.TimeZone = "Europe/Atlantis" }, []string{"time_zone"}, nil},
		{"time zone Local", func(tn *billing.Tenant) { tn.TimeZone = "Local" }, []string{"time_zone"}, nil},
		{"language unknown", func(tn *billing.Tenant) { tn.Language = "de" }, []string{"language"}, nil},
		{"country unknown", func(tn *billing.Tenant) { tn.Address.Country = "Spain" }, []string{"address.country"}, nil},
		{"tax id 33", func(tn *billing.Tenant) { tn.TaxID = strings.Repeat("9", 33) }, []string{"tax_id"}, nil},
		{"all at once", func(tn *billing.Tenant) {
			tn.Name, tn.Currency, tn.TimeZone, tn.Language = "", "", "Nowhere/Land", "xx"
		},
			[]string{"name", "currency", "time_zone", "language"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := base()
			tt.change(&tn)
			err := tn.Normalize()
			got := fieldsOf(t, err)
			if !slices.Equal(got, tt.fields) {
				t.Fatalf("fields at fault %q, want %q (error: %v)", got, tt.fields, err)
			}
			if err == nil && tt.check != nil {
				tt.check(t, tn)
			}
		})
	}
	tn := base()
	if err := tn.Normalize(); err != nil {
		t.Fatal(err)
	}
	if tn.Location().String() != "Europe/Madrid" {
		t.Errorf("Location() = %s", tn.Location())
	}
	if (billing.Tenant{TimeZone: "Nowhere/Land"}).Location().String() != "UTC" {
		t.Error("an unknown time zone does not fall back to UTC")
	}
}

func TestAddressIsComplete(t *testing.T) {
	full := billing.Address{Line1: "Rua Augusta 1500", City: "São Paulo", Country: "BR"}
	if !full.IsComplete() {
		t.Error("line 1, city and country are a complete address")
	}
	for _, a := range []billing.Address{
		{City: "São Paulo", Country: "BR"},
		{Line1: "Rua Augusta 1500", Country: "BR"},
		{Line1: "Rua Augusta 1500", City: "São Paulo"},
	} {
		if a.IsComplete() {
			t.Errorf("%+v is complete", a)
		}
	}
}
