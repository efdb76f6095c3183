-- name: UpsertCustomFieldDef :exec
INSERT INTO custom_field_defs (tenant_id, applies_to, field_key, labels, show_on_documents, ordinal, created_at, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(applies_to), sqlc.arg(field_key), sqlc.arg(labels), sqlc.arg(show_on_documents), sqlc.arg(ordinal), sqlc.arg(created_at), sqlc.arg(updated_at))
ON CONFLICT (tenant_id, applies_to, field_key) DO UPDATE SET labels = excluded.labels, show_on_documents = excluded.show_on_documents,
    ordinal = excluded.ordinal, updated_at = excluded.updated_at;

-- name: ListCustomFieldDefs :many
SELECT * FROM custom_field_defs WHERE tenant_id = sqlc.arg(tenant_id) ORDER BY applies_to, ordinal, field_key;

-- name: DeleteCustomFieldDef :execrows
DELETE FROM custom_field_defs WHERE tenant_id = sqlc.arg(tenant_id) AND applies_to = sqlc.arg(applies_to) AND field_key = sqlc.arg(field_key);
