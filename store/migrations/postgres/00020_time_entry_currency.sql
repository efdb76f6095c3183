-- +goose Up
-- A time entry's rate is in the currency its customer is billed in (the
-- currency of the sales item billable time becomes), stored beside it so
-- every output writes the rate with that currency's digits (issue 13:
-- money.UnitPrice). Billable entries take their sales item's currency;
-- entries logged before this version that made no sales item keep none
-- (their rate is written as it is).
ALTER TABLE time_entries ADD COLUMN currency text NOT NULL DEFAULT '';
UPDATE time_entries SET currency = COALESCE((SELECT si.currency FROM sales_items si
    WHERE si.tenant_id = time_entries.tenant_id AND si.source = 'ticket' AND si.source_ref = time_entries.id), '');

-- +goose Down
ALTER TABLE time_entries DROP COLUMN currency;
