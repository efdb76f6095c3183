package billing

import (
	"regexp"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

// Contact is a person at a customer.
type Contact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
	Role  string `json:"role,omitempty"` // e.g. "billing", "technical"
}

// BillingInfo is what an invoice needs to know about whom it bills.
type BillingInfo struct {
	LegalName string  `json:"legal_name"`
	Address   Address `json:"address"`
	TaxID     string  `json:"tax_id"`
	Email     string  `json:"email"`    // where invoices are sent
	Language  string  `json:"language"` // en, es, pt-BR
	Currency  string  `json:"currency"` // ISO 4217
}

// Complete reports whether the billing information is enough to invoice:
// legal name, address, billing email and currency. Sales items of a customer
// without it stay in draft (seed 002).
func (b BillingInfo) Complete() bool { return len(b.Missing()) == 0 }

// Missing names, as the API spells them, the fields that keep b from being
// Complete; none when it is.
func (b BillingInfo) Missing() []string {
	var out []string
	if b.LegalName == "" {
		out = append(out, "billing.legal_name")
	}
	out = append(out, b.Address.missing("billing.address")...)
	if b.Email == "" {
		out = append(out, "billing.email")
	}
	if b.Currency == "" {
		out = append(out, "billing.currency")
	}
	return out
}

// KeepsBillingInfo refuses a change that would make a customer's complete
// billing information incomplete (a blanked address, legal name, email or
// currency): its pending sales items would silently go back to draft and
// stop being billed. It names every missing field. Information that was
// never complete may be filled in a step at a time.
func (cu Customer) KeepsBillingInfo(before Customer) error {
	if !before.Billing.Complete() || cu.Billing.Complete() {
		return nil
	}
	var c fail.Collector
	for _, f := range cu.Billing.Missing() {
		c.Add(f, "is required: complete billing information cannot be blanked (the customer's pending sales items would go back to draft)")
	}
	return c.Err()
}

// Customer is an account the tenant bills.
type Customer struct {
	ID       string      `json:"id"`
	TenantID string      `json:"-"`
	Number   string      `json:"number"`
	Name     string      `json:"name"`
	Contacts []Contact   `json:"contacts"`
	Billing  BillingInfo `json:"billing"`
	// InvoiceAccountID is the bill-to account when it differs from the
	// customer (seed 004's "invoice account"); empty means the customer itself.
	InvoiceAccountID string       `json:"invoice_account_id"`
	PaymentTermsDays int          `json:"payment_terms_days"`
	CreditLimit      money.Amount `json:"credit_limit"` // in CreditCurrency; zero means none
	// MethodOfPayment is how the customer usually pays (seed 004's "method
	// of payment"); a new invoice for the customer takes it when it names none.
	MethodOfPayment       string            `json:"method_of_payment"`
	SalesTaxGroup         string            `json:"sales_tax_group"`
	SAPID                 string            `json:"sap_id"`
	BillingContractNumber string            `json:"billing_contract_number"`
	SalesAccountExecutive string            `json:"sales_account_executive"`
	ParentID              string            `json:"parent_id"`       // a reseller's sub-account points to the reseller
	PostingProfile        string            `json:"posting_profile"` // chooses the receivables account; empty means "default"
	CustomFields          map[string]string `json:"custom_fields"`
	HasBillingInfo        bool              `json:"has_billing_info"` // derived by Normalize, stored for filtering
	ArchivedAt            *time.Time        `json:"archived_at"`
	CreatedAt             time.Time         `json:"created_at"`
	UpdatedAt             time.Time         `json:"updated_at"`
}

var numberPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$`)

// MaxPaymentTermsDays bounds payment terms.
const MaxPaymentTermsDays = 365

// Normalize trims, validates and derives HasBillingInfo. It names every field at fault.
func (cu *Customer) Normalize() error {
	var c fail.Collector
	for _, f := range []*string{&cu.Number, &cu.Name, &cu.MethodOfPayment, &cu.SalesTaxGroup, &cu.SAPID, &cu.BillingContractNumber,
		&cu.SalesAccountExecutive, &cu.Billing.LegalName, &cu.Billing.TaxID, &cu.Billing.Email, &cu.Billing.Currency,
		&cu.Billing.Language} {
		*f = strings.TrimSpace(*f)
	}
	if cu.Number != "" && !numberPattern.MatchString(cu.Number) {
		c.Add("number", "use 1 to 32 letters, digits, '.', '_', '/' or '-', starting with a letter or digit")
	}
	checkRequired(&c, "name", cu.Name, 200)
	if len(cu.Contacts) > 50 {
		c.Add("contacts", "at most 50 contacts")
	}
	for i := range cu.Contacts {
		ct := &cu.Contacts[i]
		ct.Name, ct.Email, ct.Phone, ct.Role = strings.TrimSpace(ct.Name), strings.TrimSpace(ct.Email), strings.TrimSpace(ct.Phone), strings.TrimSpace(ct.Role)
		p := "contacts[" + itoa(i) + "]"
		checkText(&c, p+".name", ct.Name, 200)
		if ct.Email == "" {
			c.Add(p+".email", "is required")
		} else if !ValidEmail(ct.Email) {
			c.Add(p+".email", "%q is not a valid email address", ct.Email)
		}
		checkText(&c, p+".phone", ct.Phone, 40)
		checkText(&c, p+".role", ct.Role, 40)
	}
	b := &cu.Billing
	checkText(&c, "billing.legal_name", b.LegalName, 200)
	checkText(&c, "billing.tax_id", b.TaxID, 32)
	b.Address.normalize("billing.address", &c)
	if b.Email != "" && !ValidEmail(b.Email) {
		c.Add("billing.email", "%q is not a valid email address", b.Email)
	}
	checkCurrency(&c, "billing.currency", &b.Currency)
	checkLanguage(&c, "billing.language", &b.Language)
	if cu.PaymentTermsDays < 0 || cu.PaymentTermsDays > MaxPaymentTermsDays {
		c.Add("payment_terms_days", "must be between 0 and %d days", MaxPaymentTermsDays)
	}
	if cu.CreditLimit.Sign() < 0 {
		c.Add("credit_limit", "must not be negative")
	} else if b.Currency != "" {
		cu.checkCreditLimitDigits(&c, b.Currency)
	}
	checkText(&c, "method_of_payment", cu.MethodOfPayment, 100)
	checkText(&c, "sales_tax_group", cu.SalesTaxGroup, 40)
	checkText(&c, "sap_id", cu.SAPID, 40)
	checkText(&c, "billing_contract_number", cu.BillingContractNumber, 40)
	checkText(&c, "sales_account_executive", cu.SalesAccountExecutive, 200)
	checkCustomFields(&c, "custom_fields", cu.CustomFields)
	cu.PostingProfile = strings.TrimSpace(cu.PostingProfile)
	checkText(&c, "posting_profile", cu.PostingProfile, 32)
	if cu.ID != "" && (cu.ParentID == cu.ID) {
		c.Add("parent_id", "a customer cannot be its own parent")
	}
	cu.HasBillingInfo = b.Complete()
	return c.Err()
}

// InvoiceAccount returns the id of the account that is billed.
func (cu Customer) InvoiceAccount() string {
	if cu.InvoiceAccountID != "" {
		return cu.InvoiceAccountID
	}
	return cu.ID
}

// SearchText returns the lower-case, accent-free text that search matches:
// number, name, legal name, billing email, tax id and external ids.
func (cu Customer) SearchText() string {
	return Fold(strings.Join([]string{cu.Number, cu.Name, cu.Billing.LegalName, cu.Billing.Email, cu.Billing.TaxID, cu.SAPID, cu.BillingContractNumber}, " "))
}

// Fold lower-cases s and strips accents, so "João" matches "joao" on every engine.
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// CheckCreditLimit refuses a credit limit with more decimals than its
// currency (CreditCurrency) allows. Normalize checks it when the customer
// names its billing currency; without one, the limit is in the tenant's,
// which the caller gives.
func (cu Customer) CheckCreditLimit(tenantCurrency string) error {
	var c fail.Collector
	cu.checkCreditLimitDigits(&c, cu.CreditCurrency(tenantCurrency))
	return c.Err()
}

// checkCreditLimitDigits adds the error of a credit limit with more
// decimals than currency allows to c.
func (cu Customer) checkCreditLimitDigits(c *fail.Collector, currency string) {
	if cur, err := money.ParseCurrency(currency); err == nil && !money.New(cu.CreditLimit.Decimal(), cur).IsRounded() {
		c.Add("credit_limit", "has more decimals than %s allows (%d)", cur.Code(), cur.Digits())
	}
}

// CreditCurrency is the currency of the customer's credit limit: its billing
// currency, or the tenant's (tenantCurrency) while it has none. Only the
// account's documents in this currency count against the limit: a document
// in another currency is neither converted nor subtracted.
func (cu Customer) CreditCurrency(tenantCurrency string) string {
	if cu.Billing.Currency != "" {
		return cu.Billing.Currency
	}
	return tenantCurrency
}
