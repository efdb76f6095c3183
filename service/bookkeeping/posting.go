package bookkeeping

import (
	"context"
	"time"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/numbering"
)

// PostingTx is what posting a journal entry reads and writes: the gapless
// voucher counter and the journal.
type PostingTx interface {
	// NextCounter increments and returns the named counter, starting at 1.
	NextCounter(ctx context.Context, tenantID, name string) (int64, error)
	InsertEntry(ctx context.Context, e ledger.Entry) error
}

// Post checks and appends a journal entry with the next voucher number,
// made at now.
func Post(ctx context.Context, tx PostingTx, now time.Time, tenantID string, date calendar.Date, desc, sourceType, sourceID, reverses string, lines []ledger.Line) (ledger.Entry, error) {
	n, err := tx.NextCounter(ctx, tenantID, numbering.JournalVoucher.Counter)
	if err != nil {
		return ledger.Entry{}, err
	}
	e := ledger.Entry{ID: id.NewAt("je", now), TenantID: tenantID, Number: numbering.JournalVoucher.Format(n), Date: date,
		Description: desc, SourceType: sourceType, SourceID: sourceID, ReversesID: reverses, Lines: lines, CreatedAt: now}
	if err := e.Check(); err != nil {
		return e, err
	}
	return e, tx.InsertEntry(ctx, e)
}
