-- +goose Up
-- A period may be run again: each further run of a period is a
-- supplementary run (seq 2, 3, …) that bills what became pending after the
-- earlier ones. A run holds a lease while a node works on it; a run whose
-- lease has expired is resumed by any node. SQLite cannot drop a table
-- constraint, so the table is rebuilt.
CREATE TABLE billing_runs_new (
    tenant_id        text NOT NULL REFERENCES tenants (id),
    id               text NOT NULL,
    period_start     text NOT NULL,
    period_end       text NOT NULL,
    issue            integer NOT NULL DEFAULT 0,
    status           text NOT NULL,
    phase            text NOT NULL,
    items_total      integer NOT NULL DEFAULT 0,
    items_done       integer NOT NULL DEFAULT 0,
    groups_total     integer NOT NULL DEFAULT 0,
    groups_done      integer NOT NULL DEFAULT 0,
    invoices_created integer NOT NULL DEFAULT 0,
    contract_items   integer NOT NULL DEFAULT 0,
    error            text NOT NULL DEFAULT '',
    started_at       text NOT NULL,
    updated_at       text NOT NULL,
    finished_at      text,
    items_skipped    integer NOT NULL DEFAULT 0,
    seq              integer NOT NULL DEFAULT 1,
    supplements      text NOT NULL DEFAULT '',
    lease_owner      text NOT NULL DEFAULT '',
    lease_until      text,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT billing_runs_period_key UNIQUE (tenant_id, period_start, period_end, seq)
);
INSERT INTO billing_runs_new (tenant_id, id, period_start, period_end, issue, status, phase, items_total, items_done, groups_total,
    groups_done, invoices_created, contract_items, error, started_at, updated_at, finished_at, items_skipped)
SELECT tenant_id, id, period_start, period_end, issue, status, phase, items_total, items_done, groups_total,
    groups_done, invoices_created, contract_items, error, started_at, updated_at, finished_at, items_skipped FROM billing_runs;
DROP TABLE billing_runs;
ALTER TABLE billing_runs_new RENAME TO billing_runs;
CREATE INDEX billing_runs_running_idx ON billing_runs (tenant_id, status, lease_until);

-- A quantity changed while paused is charged on resume from the quantity
-- billed when paused; a change dated in a future period waits for it.
ALTER TABLE subscriptions ADD COLUMN paused_quantity text;
ALTER TABLE subscriptions ADD COLUMN scheduled_quantity text;
ALTER TABLE subscriptions ADD COLUMN scheduled_on text;

-- +goose Down
SELECT 'forward-only';
