package sales

import (
	"context"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/service/usecase"
)

// UsageImport is a usage file imported from the console in batches: how far
// it has come and the rows it rejected. Each batch writes its sales items and
// the import's progress in one transaction, so every node shows the same
// progress, and an import cut short says where it stopped (importing the
// same file again adds only what is missing: rows are idempotent by record
// id).
type UsageImport struct {
	ID         string           `json:"id"`
	TenantID   string           `json:"-"`
	Status     string           `json:"status"` // running, done
	Total      int              `json:"total"`
	Processed  int              `json:"processed"`
	Imported   int              `json:"imported"`
	Duplicates int              `json:"duplicates"`
	Rejected   []UsageRowResult `json:"rejected"`
	CreatedBy  string           `json:"created_by"`
	CreatedAt  time.Time        `json:"created_at"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

// The statuses of a usage import. Interrupted is never stored: it is a
// running import whose last batch is older than ImportStale, which the node
// running it must have stopped (uploading the file again adds only the
// missing rows).
const (
	ImportRunning     = "running"
	ImportDone        = "done"
	ImportInterrupted = "interrupted"
)

// ImportStale is how long a running import may go without a batch before
// it reads as interrupted: a batch of 500 rows takes well under a second.
const ImportStale = 2 * time.Minute

// UsageImportStore keeps usage imports.
type UsageImportStore interface {
	SaveUsageImport(ctx context.Context, imp UsageImport) error
	GetUsageImport(ctx context.Context, tenantID, id string) (UsageImport, error)
}

// StartUsageImport records an import of total rows before its batches run
// (RunUsageImport); rejected are the rows the file's reader already refused.
func (s *Service) StartUsageImport(ctx context.Context, p access.Principal, total int, rejected []UsageRowResult) (UsageImport, error) {
	if err := usecase.Allow(p, access.ManageSalesItems); err != nil {
		return UsageImport{}, err
	}
	return usecase.Write(ctx, s.items, p, access.ManageSalesItems, nil, func(tx ItemsTx) (UsageImport, usecase.Audit, error) {
		now := s.now()
		imp := UsageImport{ID: id.NewAt(id.UsageImport, now), TenantID: p.TenantID, Status: ImportRunning, Total: total + len(rejected),
			Processed: len(rejected), Rejected: rejected, CreatedBy: p.UserID, CreatedAt: now, UpdatedAt: now}
		if imp.Rejected == nil {
			imp.Rejected = []UsageRowResult{}
		}
		if total == 0 {
			imp.Status = ImportDone
		}
		return imp, usecase.Audit{}, tx.SaveUsageImport(ctx, imp)
	})
}

// RunUsageImport imports records for the import started as importID, a
// batch per transaction that also records the import's progress; the last
// one marks it done. progress, when set, sees the import after each batch.
func (s *Service) RunUsageImport(ctx context.Context, p access.Principal, importID string, records []UsageRecord, progress func(UsageImport)) (UsageImport, error) {
	if err := checkUsageImport(p, records); err != nil {
		return UsageImport{}, err
	}
	imp, err := s.GetUsageImport(ctx, p, importID)
	if err != nil || imp.Status != ImportRunning {
		return imp, err
	}
	for start := 0; start < len(records); start += usageBatch {
		end := min(start+usageBatch, len(records))
		if start > 0 {
			if err := s.faultPoint("usage_batch"); err != nil {
				return imp, err
			}
		}
		imp, err = usecase.Write(ctx, s.items, p, access.ManageSalesItems, nil, func(tx ItemsTx) (UsageImport, usecase.Audit, error) {
			imp, err := tx.GetUsageImport(ctx, p.TenantID, importID)
			if err != nil {
				return imp, usecase.Audit{}, err
			}
			rows, audit, err := s.importUsageBatch(ctx, tx, p, records, start, end)
			if err != nil {
				return imp, audit, err
			}
			var rep UsageReport
			rep.add(rows)
			imp.Processed += len(rows)
			imp.Imported += rep.Imported
			imp.Duplicates += rep.Duplicates
			for _, r := range rows {
				if r.Status == "rejected" {
					imp.Rejected = append(imp.Rejected, r)
				}
			}
			imp.UpdatedAt = s.now()
			if end == len(records) {
				imp.Status = ImportDone
			}
			return imp, audit, tx.SaveUsageImport(ctx, imp)
		})
		if err != nil {
			return imp, err
		}
		if progress != nil {
			progress(imp)
		}
	}
	return imp, s.faultPoint("usage_done")
}

// GetUsageImport returns an import and its progress.
func (s *Service) GetUsageImport(ctx context.Context, p access.Principal, importID string) (UsageImport, error) {
	return usecase.Read(ctx, s.items, p, access.ManageSalesItems, func(tx ItemsTx) (UsageImport, error) {
		imp, err := tx.GetUsageImport(ctx, p.TenantID, importID)
		if err != nil {
			return imp, err
		}
		if imp.ID == "" {
			return imp, fail.NotFoundf("no usage import %q", importID)
		}
		if imp.Status == ImportRunning && s.now().Sub(imp.UpdatedAt) > ImportStale {
			imp.Status = ImportInterrupted
		}
		return imp, nil
	})
}
