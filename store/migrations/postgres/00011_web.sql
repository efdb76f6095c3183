-- +goose Up
-- Reserved: filled by the change that needs it.
SELECT 1;

-- +goose Down
SELECT 1;
