-- +goose Up
-- SQLite only (its 00014 adds the status to the sort indexes for
-- store.ListInvoices' probe); PostgreSQL's planner chooses between the
-- status and the sort indexes from its statistics. Kept so both engines
-- count the same versions.
SELECT 1;

-- +goose Down
SELECT 'forward-only';
