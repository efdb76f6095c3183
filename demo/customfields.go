package demo

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/service"
)

// seedCustomFields labels the demo's custom fields in the three languages:
// the customers' industry, cost center and partner tier, and a purchase
// order number that invoices print.
func seedCustomFields(ctx context.Context, svc *service.Service, p access.Principal) error {
	defs := []customfield.Def{
		{Key: "po_number", AppliesTo: customfield.Invoice, ShowOnDocuments: true,
			Labels: map[string]string{"en": "PO number", "es": "Número de pedido", "pt-BR": "Número do pedido"}},
		{Key: "industry", AppliesTo: customfield.Customer, Position: 1,
			Labels: map[string]string{"en": "Industry", "es": "Sector", "pt-BR": "Setor"}},
		{Key: "cost_center", AppliesTo: customfield.Customer, Position: 2,
			Labels: map[string]string{"en": "Cost center", "es": "Centro de coste", "pt-BR": "Centro de custo"}},
		{Key: "partner_tier", AppliesTo: customfield.Customer, Position: 3,
			Labels: map[string]string{"en": "Partner tier", "es": "Nivel de socio", "pt-BR": "Nível de parceiro"}},
	}
	for _, d := range defs {
		if _, err := svc.SaveCustomFieldDef(ctx, p, d); err != nil {
			return fmt.Errorf("custom field %s: %w", d.Key, err)
		}
	}
	return nil
}
