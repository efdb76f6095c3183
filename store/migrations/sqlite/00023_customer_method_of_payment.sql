-- +goose Up
-- A customer's default method of payment (seed 004's header field): a new
-- invoice for the customer takes it when the invoice names none.
ALTER TABLE customers ADD COLUMN method_of_payment text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE customers DROP COLUMN method_of_payment;
