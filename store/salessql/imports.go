package salessql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
)

// rejectedRow is a rejected usage row as an import stores it: with its
// reason's format and arguments, so a page words it in its reader's
// language.
type rejectedRow struct {
	Line     int    `json:"line"`
	RecordID string `json:"record_id"`
	Reason   string `json:"reason"`
	Code     string `json:"code,omitempty"`
	Format   string `json:"format,omitempty"`
	Args     []any  `json:"args,omitempty"`
}

// SaveUsageImport writes an import's progress (inserting it the first time).
func (t *Sales) SaveUsageImport(ctx context.Context, imp service.UsageImport) error {
	rows := make([]rejectedRow, len(imp.Rejected))
	for i, r := range imp.Rejected {
		rows[i] = rejectedRow{Line: r.Line, RecordID: r.RecordID, Reason: r.Reason, Code: r.Code, Format: r.Format, Args: r.Args}
	}
	rejected, err := json.Marshal(rows)
	if err != nil {
		return fmt.Errorf("usage import: %w", err)
	}
	_, err = t.Exec(ctx, `INSERT INTO usage_imports (tenant_id, id, status, total, processed, imported, duplicates, rejected, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, id) DO UPDATE SET status = excluded.status, processed = excluded.processed, imported = excluded.imported,
			duplicates = excluded.duplicates, rejected = excluded.rejected, updated_at = excluded.updated_at`,
		imp.TenantID, imp.ID, imp.Status, imp.Total, imp.Processed, imp.Imported, imp.Duplicates, string(rejected), imp.CreatedBy,
		dbtx.TimeOf(imp.CreatedAt), dbtx.TimeOf(imp.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save usage import: %w", err)
	}
	return nil
}

// GetUsageImport reads an import of the tenant; a zero import when there is
// none.
func (t *Sales) GetUsageImport(ctx context.Context, tenantID, id string) (service.UsageImport, error) {
	imp := service.UsageImport{TenantID: tenantID}
	var rejected string
	var created, updated dbtx.Time
	err := t.QueryRow(ctx, `SELECT id, status, total, processed, imported, duplicates, rejected, created_by, created_at, updated_at
		FROM usage_imports WHERE tenant_id = ? AND id = ?`, tenantID, id).
		Scan(&imp.ID, &imp.Status, &imp.Total, &imp.Processed, &imp.Imported, &imp.Duplicates, &rejected, &imp.CreatedBy, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return service.UsageImport{}, nil
	}
	if err != nil {
		return imp, fmt.Errorf("usage import: %w", err)
	}
	imp.CreatedAt, imp.UpdatedAt = created.Time, updated.Time
	var rows []rejectedRow
	if err := json.Unmarshal([]byte(rejected), &rows); err != nil {
		return imp, fmt.Errorf("usage import %s: rejected rows: %w", id, err)
	}
	imp.Rejected = make([]service.UsageRowResult, len(rows))
	for i, r := range rows {
		imp.Rejected[i] = service.UsageRowResult{Line: r.Line, RecordID: r.RecordID, Status: "rejected", Reason: r.Reason, Code: r.Code,
			Format: r.Format, Args: r.Args}
	}
	return imp, nil
}
