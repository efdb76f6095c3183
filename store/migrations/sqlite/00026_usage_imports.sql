-- +goose Up
-- A usage file imported from the console (issue 16): how far it has come
-- and the rows it rejected. Each batch of the import writes its sales items
-- and this row in one transaction, so every node's page shows the same
-- progress, and an import cut short says where it stopped.
CREATE TABLE usage_imports (
    tenant_id  text NOT NULL,
    id         text NOT NULL,
    status     text NOT NULL,
    total      integer NOT NULL,
    processed  integer NOT NULL,
    imported   integer NOT NULL,
    duplicates integer NOT NULL,
    rejected   text NOT NULL DEFAULT '[]',
    created_by text NOT NULL,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- +goose Down
DROP TABLE usage_imports;
