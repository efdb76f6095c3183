-- +goose Up
-- A period may be run again: each further run of a period is a
-- supplementary run (seq 2, 3, …) that bills what became pending after the
-- earlier ones. A run holds a lease while a node works on it; a run whose
-- lease has expired is resumed by any node.
ALTER TABLE billing_runs ADD COLUMN seq integer NOT NULL DEFAULT 1;
ALTER TABLE billing_runs ADD COLUMN supplements text NOT NULL DEFAULT '';
ALTER TABLE billing_runs ADD COLUMN lease_owner text NOT NULL DEFAULT '';
ALTER TABLE billing_runs ADD COLUMN lease_until timestamptz;
ALTER TABLE billing_runs DROP CONSTRAINT billing_runs_period_key;
ALTER TABLE billing_runs ADD CONSTRAINT billing_runs_period_key UNIQUE (tenant_id, period_start, period_end, seq);
CREATE INDEX billing_runs_running_idx ON billing_runs (tenant_id, status, lease_until);

-- A quantity changed while paused is charged on resume from the quantity
-- billed when paused; a change dated in a future period waits for it.
ALTER TABLE subscriptions ADD COLUMN paused_quantity numeric(24, 6);
ALTER TABLE subscriptions ADD COLUMN scheduled_quantity numeric(24, 6);
ALTER TABLE subscriptions ADD COLUMN scheduled_on date;

-- +goose Down
SELECT 'forward-only';
