-- +goose Up
-- SQLite's 00015 rebuilds its invoice amount indexes on an exact sort key;
-- PostgreSQL's NUMERIC sorts exactly already. This keeps the two engines'
-- migration versions the same.
SELECT 1;

-- +goose Down
SELECT 'forward-only';
