package billing

import (
	"strings"
	"sync"
	"time"

	"github.com/facturo/facturo/fail"
)

// Tenant is one provider business using Facturo: its own customers, users,
// numbering and ledger. Every row in the database belongs to one tenant.
type Tenant struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`       // trading name shown in the console
	LegalName string  `json:"legal_name"` // on invoices
	TaxID     string  `json:"tax_id"`
	Address   Address `json:"address"`
	Currency  string  `json:"currency"` // accounting currency (ISO 4217)
	TimeZone  string  `json:"time_zone"`
	Language  string  `json:"language"` // default for documents and emails
	// ApprovalRequired makes every draft go through submit and approve before it is issued.
	ApprovalRequired bool `json:"approval_required"`
	// BillingRunDay is the day of the month (1–28) the previous month's
	// billing run starts by itself; 0 turns the schedule off.
	BillingRunDay int       `json:"billing_run_day"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Normalize trims and validates t, naming every field at fault.
func (t *Tenant) Normalize() error {
	var c fail.Collector
	t.Name = strings.TrimSpace(t.Name)
	t.LegalName = strings.TrimSpace(t.LegalName)
	t.TaxID = strings.TrimSpace(t.TaxID)
	checkRequired(&c, "name", t.Name, 200)
	if t.LegalName == "" {
		t.LegalName = t.Name
	}
	checkText(&c, "legal_name", t.LegalName, 200)
	checkText(&c, "tax_id", t.TaxID, 32)
	t.Address.normalize("address", &c)
	if t.Currency == "" {
		c.Add("currency", "is required: the accounting currency, for example EUR")
	}
	checkCurrency(&c, "currency", &t.Currency)
	if t.TimeZone == "" {
		t.TimeZone = "UTC"
	}
	if !ValidTimeZone(t.TimeZone) {
		c.Add("time_zone", "%q is not an IANA time zone (for example Europe/Madrid)", t.TimeZone)
	}
	if t.Language == "" {
		t.Language = "en"
	}
	checkLanguage(&c, "language", &t.Language)
	return c.Err()
}

// Location returns the tenant's time zone (UTC if it cannot be loaded).
func (t Tenant) Location() *time.Location {
	if loc, ok := locations.Load(t.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(t.TimeZone)
	if err != nil {
		return time.UTC
	}
	locations.Store(t.TimeZone, loc)
	return loc
}

// locations keeps the time zones loaded: loading one reads and parses the
// zone database each time, and every dated write asks for the tenant's.
var locations sync.Map
