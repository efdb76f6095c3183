-- +goose Up
-- A billing run's invoicing is planned as batches of whole bill-to accounts
-- (issue 15): any node that starts or joins the run claims the next planned
-- batch and bills it in the batch's own transaction, which also marks the
-- batch billed, so several nodes share one run and none bills a batch twice
-- (PostgreSQL: FOR UPDATE SKIP LOCKED; a crashed node's transaction rolls
-- back and leaves its batch planned for the others). rates are the exchange
-- rates the run was started with, for every node that bills the batch.
CREATE TABLE billing_run_batches (
    tenant_id text NOT NULL REFERENCES tenants (id),
    run_id    text NOT NULL,
    seq       integer NOT NULL,
    accounts  text NOT NULL,
    items     integer NOT NULL,
    rates     text NOT NULL DEFAULT '{}',
    status    text NOT NULL DEFAULT 'planned',
    done_by   text NOT NULL DEFAULT '',
    done_at   timestamptz,
    PRIMARY KEY (tenant_id, run_id, seq),
    FOREIGN KEY (tenant_id, run_id) REFERENCES billing_runs (tenant_id, id)
);

-- +goose Down
DROP TABLE billing_run_batches;
