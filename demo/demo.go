// Package demo fills a new Facturo database with a demo tenant: customers in
// English, Spanish and Portuguese, a user for every role, and (as later
// capabilities arrive) the rest of the product's data. It goes through the
// service layer, like any other client.
package demo

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
)

// AdminEmail is the demo administrator's sign-in.
const AdminEmail = "admin@demo.facturo.test"

// Login is what `serve --demo` prints.
type Login struct {
	TenantID string
	Email    string
	Password string
	APIKey   string
}

// Ensure creates the demo tenant if the database has none, then gives the
// demo users a fresh password and makes a fresh API key, so the printed
// login always works (the old secrets were never stored in clear).
func Ensure(ctx context.Context, svc *service.Service) (Login, error) {
	tenants, err := svc.ListTenants(ctx)
	if err != nil {
		return Login{}, err
	}
	password := access.RandomPassword()
	var tenantID string
	for _, t := range tenants {
		users, err := svc.ListUsers(ctx, access.System(t.ID, "demo"))
		if err != nil {
			return Login{}, err
		}
		for _, u := range users {
			if u.Email == AdminEmail {
				tenantID = t.ID
			}
		}
	}
	if tenantID == "" {
		if len(tenants) > 0 {
			return Login{}, fail.Conflictf("this database already has tenants but no demo tenant; run --demo on a new database")
		}
		t, err := seed(ctx, svc, password)
		if err != nil {
			return Login{}, fmt.Errorf("seed demo: %w", err)
		}
		tenantID = t.ID
	} else if err := resetPasswords(ctx, svc, tenantID, password); err != nil {
		return Login{}, err
	}
	p := access.System(tenantID, "demo")
	key, err := svc.CreateAPIKey(ctx, p, service.NewAPIKey{Name: "demo", Role: string(access.Administrator)})
	if err != nil {
		return Login{}, err
	}
	return Login{TenantID: tenantID, Email: AdminEmail, Password: password, APIKey: key.Secret}, nil
}

// resetPasswords gives the demo's own users (those seed made, by email) the
// new password. Users an operator added to the demo tenant keep theirs.
func resetPasswords(ctx context.Context, svc *service.Service, tenantID, password string) error {
	p := access.System(tenantID, "demo")
	users, err := svc.ListUsers(ctx, p)
	if err != nil {
		return err
	}
	own := map[string]bool{}
	for _, u := range demoUsers(nil) {
		own[u.Email] = true
	}
	var ids []string
	for _, u := range users {
		if own[u.Email] {
			ids = append(ids, u.ID)
		}
	}
	return svc.SetPasswords(ctx, p, ids, password)
}

func ptr[T any](v T) *T { return &v }

func seed(ctx context.Context, svc *service.Service, password string) (billing.Tenant, error) {
	t, err := svc.CreateTenant(ctx, billing.Tenant{
		Name: "Nimbus Cloud Services", LegalName: "Nimbus Cloud Services S.L.", TaxID: "ESB12345678",
		Address:  billing.Address{Line1: "Calle de Alcalá 48", City: "Madrid", PostalCode: "28014", Country: "ES"},
		Currency: "EUR", TimeZone: "Europe/Madrid", Language: "en",
	})
	if err != nil {
		return t, err
	}
	p := access.System(t.ID, "demo")
	if err := seedTaxes(ctx, svc, p); err != nil {
		return t, err
	}
	if err := seedBranding(ctx, svc, p); err != nil {
		return t, fmt.Errorf("branding: %w", err)
	}
	if err := seedCustomFields(ctx, svc, p); err != nil {
		return t, err
	}
	ids := map[string]string{}
	for _, c := range customers() {
		if c.parent != "" {
			c.in.ParentID = ptr(ids[c.parent])
		}
		if c.invoiceTo != "" {
			c.in.InvoiceAccountID = ptr(ids[c.invoiceTo])
		}
		created, err := svc.CreateCustomer(ctx, p, c.in)
		if err != nil {
			return t, fmt.Errorf("customer %s: %w", *c.in.Name, err)
		}
		ids[*c.in.Number] = created.ID
	}
	for _, u := range demoUsers(ids) {
		u.Password = password
		if _, err := svc.CreateUser(ctx, p, u); err != nil {
			return t, fmt.Errorf("user %s: %w", u.Email, err)
		}
	}
	if err := seedExchangeRates(ctx, svc, p, calendar.Today(svc.Now(), t.Location())); err != nil {
		return t, err
	}
	if err := seedInvoices(ctx, svc, p, ids, calendar.Today(svc.Now(), t.Location())); err != nil {
		return t, err
	}
	if err := seedSalesItems(ctx, svc, p, ids, calendar.Today(svc.Now(), t.Location())); err != nil {
		return t, err
	}
	if err := seedPayments(ctx, svc, p, ids); err != nil {
		return t, err
	}
	if err := seedSubscriptions(ctx, svc, p, ids, calendar.Today(svc.Now(), t.Location())); err != nil {
		return t, err
	}
	if err := seedWallets(ctx, svc, p, ids, calendar.Today(svc.Now(), t.Location())); err != nil {
		return t, err
	}
	// A webhook endpoint, disabled so the demo sends nothing out: enable it
	// with a URL of yours (PATCH /api/v1/webhook-endpoints/{id}).
	hook := "https://hooks.example.com/facturo"
	if _, err := svc.CreateWebhookEndpoint(ctx, p, service.WebhookEndpointInput{URL: &hook, Description: ptr("ERP integration (disabled in the demo)"),
		Events: []string{"invoice.*", "payment.*"}, Enabled: ptr(false)}); err != nil {
		return t, fmt.Errorf("webhook endpoint: %w", err)
	}
	return t, nil
}

type demoCustomer struct {
	in        service.CustomerInput
	parent    string // number of the parent
	invoiceTo string // number of the invoice account
}

func customers() []demoCustomer {
	billingInfo := func(legal, email, lang, cur, tax string, a billing.Address) *service.BillingInput {
		return &service.BillingInput{LegalName: &legal, Email: &email, Language: &lang, Currency: &cur, TaxID: &tax, Address: &a}
	}
	return []demoCustomer{
		{in: service.CustomerInput{Number: ptr("C-1001"), Name: ptr("Northwind Traders"),
			Contacts: &[]billing.Contact{{Name: "Nancy Davolio", Email: "nancy@northwind.example", Role: "billing"}},
			Billing: billingInfo("Northwind Traders Ltd", "accounts@northwind.example", "en", "GBP", "GB123456789",
				billing.Address{Line1: "12 Fleet Street", City: "London", PostalCode: "EC4Y 1AA", Country: "GB"}),
			PaymentTermsDays: ptr(30), CreditLimit: ptr("25000.00"), SalesTaxGroup: ptr("EU-B2B"), SAPID: ptr("0010004711"),
			BillingContractNumber: ptr("BC-2024-0001"), SalesAccountExecutive: ptr("Sam Seller"),
			CustomFields: &map[string]string{"industry": "retail", "cost_center": "UK-01"}}},
		{in: service.CustomerInput{Number: ptr("C-1002"), Name: ptr("Ferretería Núñez"),
			Contacts: &[]billing.Contact{{Name: "Lucía Núñez", Email: "lucia@ferreteria-nunez.example", Role: "facturación"}},
			Billing: billingInfo("Ferretería Núñez S.A.", "facturas@ferreteria-nunez.example", "es", "EUR", "ESA28123456",
				billing.Address{Line1: "Calle Mayor 7", City: "Sevilla", Region: "Andalucía", PostalCode: "41001", Country: "ES"}),
			PaymentTermsDays: ptr(60), MethodOfPayment: ptr("Transferencia bancaria"), CreditLimit: ptr("10000.00"), SalesTaxGroup: ptr("ES-DOM"), SAPID: ptr("0010004712"),
			BillingContractNumber: ptr("BC-2024-0002"), SalesAccountExecutive: ptr("Gloria Grupo")}},
		{in: service.CustomerInput{Number: ptr("C-1003"), Name: ptr("Clínica Dental Peña"),
			Billing: billingInfo("Clínica Dental Peña S.L.", "administracion@clinicapena.example", "es", "EUR", "ESB87654321",
				billing.Address{Line1: "Avenida de la Constitución 21", City: "Valencia", PostalCode: "46001", Country: "ES"}),
			SalesTaxGroup: ptr("ES-DOM"), SalesAccountExecutive: ptr("Gloria Grupo")}},
		{in: service.CustomerInput{Number: ptr("C-1004"), Name: ptr("Padaria São João"),
			Contacts: &[]billing.Contact{{Name: "João Pereira", Email: "joao@padariasaojoao.example", Role: "financeiro"}},
			Billing: billingInfo("Padaria São João Ltda.", "financeiro@padariasaojoao.example", "pt-BR", "BRL", "12.345.678/0001-90",
				billing.Address{Line1: "Rua Augusta 1500", City: "São Paulo", Region: "SP", PostalCode: "01304-001", Country: "BR"}),
			PaymentTermsDays: ptr(28), MethodOfPayment: ptr("Boleto bancário"), SalesTaxGroup: ptr("EXPORT"), SAPID: ptr("0010004714")}},
		{in: service.CustomerInput{Number: ptr("C-1005"), Name: ptr("Atlântico Revenda"),
			Billing: billingInfo("Atlântico Revenda de Software Lda.", "contas@atlantico-revenda.example", "pt-BR", "EUR", "PT509876543",
				billing.Address{Line1: "Avenida da Liberdade 110", City: "Lisboa", PostalCode: "1250-146", Country: "PT"}),
			SalesTaxGroup: ptr("EU-B2B"), CreditLimit: ptr("50000.00"), SalesAccountExecutive: ptr("Sam Seller"),
			CustomFields: &map[string]string{"partner_tier": "gold"}}},
		{in: service.CustomerInput{Number: ptr("C-1006"), Name: ptr("Construções Araújo & Filhos"),
			Billing: billingInfo("Construções Araújo & Filhos Lda.", "faturas@araujo-filhos.example", "pt-BR", "EUR", "PT501234567",
				billing.Address{Line1: "Rua de Santa Catarina 300", City: "Porto", PostalCode: "4000-442", Country: "PT"}),
			SalesTaxGroup: ptr("EU-B2B")}, parent: "C-1005", invoiceTo: "C-1005"},
		{in: service.CustomerInput{Number: ptr("C-1007"), Name: ptr("Contoso Hosting"),
			Billing: billingInfo("Contoso Hosting Inc.", "ap@contoso.example", "en", "USD", "US-94-1234567",
				billing.Address{Line1: "500 Market Street", City: "San Francisco", Region: "CA", PostalCode: "94105", Country: "US"}),
			PaymentTermsDays: ptr(15), SalesTaxGroup: ptr("EXPORT"), SalesAccountExecutive: ptr("Sam Seller")}},
		// No billing information yet: its sales items stay in draft (seed 002).
		{in: service.CustomerInput{Number: ptr("C-1008"), Name: ptr("Estudio Creativo Sin Datos"),
			Contacts: &[]billing.Contact{{Name: "Marta Ríos", Email: "marta@estudiocreativo.example"}}}},
	}
}

// demoUsers are the demo tenant's own users, one per role; ids maps customer
// numbers to ids for the portal users (nil when only the emails matter).
func demoUsers(ids map[string]string) []service.NewUser {
	return []service.NewUser{
		{Email: AdminEmail, Name: "Ada Admin", Role: string(access.Administrator)},
		{Email: "director@demo.facturo.test", Name: "Diego Directo", Role: string(access.Director), Language: "es"},
		{Email: "finance.manager@demo.facturo.test", Name: "Fernanda Gestora", Role: string(access.FinanceManager), Language: "pt-BR"},
		{Email: "finance@demo.facturo.test", Name: "Finn Ledger", Role: string(access.Finance)},
		{Email: "group.manager@demo.facturo.test", Name: "Gloria Grupo", Role: string(access.GroupManager), Language: "es"},
		{Email: "sales@demo.facturo.test", Name: "Sam Seller", Role: string(access.Sales)},
		{Email: "engineer@demo.facturo.test", Name: "Eng Ineer", Role: string(access.Engineer)},
		{Email: "portal@ferreteria-nunez.example", Name: "Lucía Núñez", Role: string(access.Customer), CustomerID: ids["C-1002"], Language: "es"},
		{Email: "portal@padariasaojoao.example", Name: "João Pereira", Role: string(access.Customer), CustomerID: ids["C-1004"], Language: "pt-BR"},
	}
}
