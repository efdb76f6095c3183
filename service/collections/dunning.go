package collections

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/receivables"
	"github.com/facturo/facturo/service/notify"
	"github.com/facturo/facturo/service/usecase"
)

// GetDunningSchedule returns the tenant's reminder schedule: days past the
// due date at which a reminder is queued (empty: no reminders).
func (s *Service) GetDunningSchedule(ctx context.Context, p access.Principal) ([]int, error) {
	if err := p.Require(access.ReadSettings); err != nil {
		return nil, err
	}
	var out []int
	err := s.dunning.Store.Read(ctx, func(tx DunningTx) error {
		var err error
		out, err = tx.GetDunningOffsets(ctx, p.TenantID)
		return err
	})
	if out == nil {
		out = []int{}
	}
	return out, err
}

// SetDunningSchedule sets the reminder schedule (administrator): strictly
// increasing days past due, 1 to 365, at most receivables.MaxDunningSteps
// (receivables.CheckDunningSchedule).
func (s *Service) SetDunningSchedule(ctx context.Context, p access.Principal, offsets []int) ([]int, error) {
	var checked []int
	return usecase.Write(ctx, s.dunning, p, access.ManageTenant, func() error {
		var err error
		checked, err = receivables.CheckDunningSchedule(offsets)
		return err
	}, func(tx DunningTx) ([]int, usecase.Audit, error) {
		before, err := tx.GetDunningOffsets(ctx, p.TenantID)
		if err != nil {
			return nil, usecase.Audit{}, err
		}
		if err := tx.SetDunningOffsets(ctx, p.TenantID, checked); err != nil {
			return nil, usecase.Audit{}, err
		}
		return checked, usecase.Entry("tenant.dunning_changed", "tenant", p.TenantID, map[string]any{"from": before, "to": checked}), nil
	})
}

// SweepDunning queues a "dunning.reminder" notification for every unpaid
// invoice that has reached a new step of the tenant's schedule. Each step is
// queued exactly once per invoice, whichever nodes sweep at the same time:
// the step row's primary key decides, in the transaction that queues the
// notification. After a pause only the latest step reached is sent (the
// earlier ones are not sent late).
func (s *Service) SweepDunning(ctx context.Context, tenantID string) (int, error) {
	p := access.System(tenantID, "dunning sweep")
	var offsets []int
	var due []billing.Invoice
	var steps []int // the step reached by due[i]
	var today calendar.Date
	var accounting money.Currency
	err := s.dunning.Store.Read(ctx, func(tx DunningTx) error {
		var err error
		if offsets, err = tx.GetDunningOffsets(ctx, tenantID); err != nil || len(offsets) == 0 {
			return err
		}
		tenant, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		today = calendar.Today(s.now(), tenant.Location())
		if accounting, err = money.ParseCurrency(tenant.Currency); err != nil {
			return fmt.Errorf("tenant currency: %w", err)
		}
		docs, err := tx.OpenDocuments(ctx, tenantID, "")
		if err != nil {
			return err
		}
		for _, d := range docs {
			doc, err := receivables.DocumentOf(d, accounting, today)
			if err != nil {
				return err
			}
			if step := receivables.DunningDue(doc, offsets, today); step > 0 {
				due, steps = append(due, d), append(steps, step)
			}
		}
		return nil
	})
	if err != nil || len(due) == 0 {
		return 0, err
	}
	queued := 0
	for i, d := range due {
		step := steps[i]
		// The sweep acts for the system, on its tenant only (usecase.SignedIn).
		sent, err := usecase.Write(ctx, s.dunning, p, usecase.SignedIn, nil, func(tx DunningTx) (bool, usecase.Audit, error) {
			inv, err := tx.GetInvoiceForUpdate(ctx, tenantID, d.ID)
			if err != nil {
				return false, usecase.Audit{}, err
			}
			doc, err := receivables.DocumentOf(inv, accounting, today)
			if err != nil {
				return false, usecase.Audit{}, err
			}
			last, err := tx.MaxDunningStep(ctx, tenantID, inv.ID)
			if err != nil || !receivables.ReminderToSend(doc, step, last) {
				return false, usecase.Audit{}, err // sent already, or paid or closed meanwhile
			}
			now := s.now()
			ntf := notify.Notification{ID: id.NewAt("ntf", now), TenantID: tenantID, Kind: "dunning.reminder", TargetType: "invoice",
				TargetID: inv.ID, Recipient: inv.BillTo.Email, Language: inv.Language,
				Payload: map[string]string{"number": inv.Number, "balance": inv.Balance.Fixed(), "currency": inv.Currency,
					"due_date": inv.DueDate.String(), "days_past_due": fmt.Sprint(inv.DueDate.DaysUntil(today)),
					"step": fmt.Sprint(step), "of": fmt.Sprint(len(offsets))},
				Status: "queued", CreatedAt: now}
			inserted, err := tx.InsertDunningStep(ctx, tenantID, inv.ID, step, ntf.ID, now)
			if err != nil || !inserted {
				return false, usecase.Audit{}, err // another node queued this step
			}
			if err := tx.InsertNotification(ctx, ntf); err != nil {
				return false, usecase.Audit{}, err
			}
			return true, usecase.Entry("invoice.dunning_reminder", "invoice", inv.ID, map[string]any{"step": step, "notification_id": ntf.ID}), nil
		})
		if err != nil {
			return queued, err
		}
		if sent {
			queued++
		}
	}
	return queued, nil
}
