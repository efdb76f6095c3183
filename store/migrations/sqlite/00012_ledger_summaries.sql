-- +goose Up
-- Ledger reports read summaries kept up to date with every change, so that
-- the trial balance and the receivables aging cost the same with a million
-- invoices as with ten (issue 8: every page under 200 ms).
--
-- ledger_daily holds each account's debits and credits per posting date;
-- store.InsertEntry adds to it in the entry's transaction. The trial balance
-- at a date sums the days up to it.
CREATE TABLE ledger_daily (
    tenant_id text NOT NULL,
    account   text NOT NULL,
    date      text NOT NULL,
    debit     text NOT NULL,
    credit    text NOT NULL,
    PRIMARY KEY (tenant_id, account, date)
) WITHOUT ROWID;

-- receivable_dues holds the open balance (accounting currency) of the open
-- and past due documents per due date: invoices in debit, credit notes in
-- credit, and how many documents there are (the row goes at zero). Triggers
-- on invoices keep it, whichever statement changes a document. A document
-- without a due date counts as due on 0001-01-01 (the oldest bucket).
-- dec_add and dec_sub are exact decimal functions registered by Facturo's
-- SQLite driver (store/sqlitefuncs.go).
CREATE TABLE receivable_dues (
    tenant_id text NOT NULL,
    due_date  text NOT NULL,
    documents integer NOT NULL,
    debit     text NOT NULL,
    credit    text NOT NULL,
    PRIMARY KEY (tenant_id, due_date)
) WITHOUT ROWID;

-- receivable_account_dues is the same per bill-to account: the aging page
-- lists the accounts with open documents from it and sums each one's
-- buckets over its due dates, not over its documents.
CREATE TABLE receivable_account_dues (
    tenant_id  text NOT NULL,
    account_id text NOT NULL,
    due_date   text NOT NULL,
    documents  integer NOT NULL,
    debit      text NOT NULL,
    credit     text NOT NULL,
    PRIMARY KEY (tenant_id, account_id, due_date)
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER invoices_dues_insert AFTER INSERT ON invoices
WHEN NEW.status IN ('open', 'past_due')
BEGIN
    INSERT INTO receivable_dues (tenant_id, due_date, documents, debit, credit)
    SELECT NEW.tenant_id, COALESCE(NEW.due_date, '0001-01-01'), 1,
        CASE WHEN NEW.kind = 'credit_note' THEN '0' ELSE NEW.balance_accounting END,
        CASE WHEN NEW.kind = 'credit_note' THEN NEW.balance_accounting ELSE '0' END
    WHERE NEW.status IN ('open', 'past_due')
    ON CONFLICT (tenant_id, due_date) DO UPDATE SET documents = documents + 1,
        debit = dec_add(debit, excluded.debit), credit = dec_add(credit, excluded.credit);
    INSERT INTO receivable_account_dues (tenant_id, account_id, due_date, documents, debit, credit)
    SELECT NEW.tenant_id, NEW.invoice_account_id, COALESCE(NEW.due_date, '0001-01-01'), 1,
        CASE WHEN NEW.kind = 'credit_note' THEN '0' ELSE NEW.balance_accounting END,
        CASE WHEN NEW.kind = 'credit_note' THEN NEW.balance_accounting ELSE '0' END
    WHERE NEW.status IN ('open', 'past_due')
    ON CONFLICT (tenant_id, account_id, due_date) DO UPDATE SET documents = documents + 1,
        debit = dec_add(debit, excluded.debit), credit = dec_add(credit, excluded.credit);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER invoices_dues_update AFTER UPDATE OF status, kind, due_date, balance_accounting, invoice_account_id ON invoices
WHEN (OLD.status IN ('open', 'past_due') OR NEW.status IN ('open', 'past_due'))
    AND NOT (OLD.status IN ('open', 'past_due') AND NEW.status IN ('open', 'past_due') AND OLD.kind = NEW.kind
        AND OLD.due_date IS NEW.due_date AND OLD.balance_accounting IS NEW.balance_accounting
        AND OLD.invoice_account_id = NEW.invoice_account_id)
BEGIN
    UPDATE receivable_dues SET documents = documents - 1,
        debit = dec_sub(debit, CASE WHEN OLD.kind = 'credit_note' THEN '0' ELSE OLD.balance_accounting END),
        credit = dec_sub(credit, CASE WHEN OLD.kind = 'credit_note' THEN OLD.balance_accounting ELSE '0' END)
    WHERE OLD.status IN ('open', 'past_due') AND tenant_id = OLD.tenant_id AND due_date = COALESCE(OLD.due_date, '0001-01-01');
    DELETE FROM receivable_dues WHERE tenant_id = OLD.tenant_id AND due_date = COALESCE(OLD.due_date, '0001-01-01') AND documents = 0;
    UPDATE receivable_account_dues SET documents = documents - 1,
        debit = dec_sub(debit, CASE WHEN OLD.kind = 'credit_note' THEN '0' ELSE OLD.balance_accounting END),
        credit = dec_sub(credit, CASE WHEN OLD.kind = 'credit_note' THEN OLD.balance_accounting ELSE '0' END)
    WHERE OLD.status IN ('open', 'past_due') AND tenant_id = OLD.tenant_id AND account_id = OLD.invoice_account_id
        AND due_date = COALESCE(OLD.due_date, '0001-01-01');
    DELETE FROM receivable_account_dues WHERE tenant_id = OLD.tenant_id AND account_id = OLD.invoice_account_id
        AND due_date = COALESCE(OLD.due_date, '0001-01-01') AND documents = 0;
    INSERT INTO receivable_dues (tenant_id, due_date, documents, debit, credit)
    SELECT NEW.tenant_id, COALESCE(NEW.due_date, '0001-01-01'), 1,
        CASE WHEN NEW.kind = 'credit_note' THEN '0' ELSE NEW.balance_accounting END,
        CASE WHEN NEW.kind = 'credit_note' THEN NEW.balance_accounting ELSE '0' END
    WHERE NEW.status IN ('open', 'past_due')
    ON CONFLICT (tenant_id, due_date) DO UPDATE SET documents = documents + 1,
        debit = dec_add(debit, excluded.debit), credit = dec_add(credit, excluded.credit);
    INSERT INTO receivable_account_dues (tenant_id, account_id, due_date, documents, debit, credit)
    SELECT NEW.tenant_id, NEW.invoice_account_id, COALESCE(NEW.due_date, '0001-01-01'), 1,
        CASE WHEN NEW.kind = 'credit_note' THEN '0' ELSE NEW.balance_accounting END,
        CASE WHEN NEW.kind = 'credit_note' THEN NEW.balance_accounting ELSE '0' END
    WHERE NEW.status IN ('open', 'past_due')
    ON CONFLICT (tenant_id, account_id, due_date) DO UPDATE SET documents = documents + 1,
        debit = dec_add(debit, excluded.debit), credit = dec_add(credit, excluded.credit);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER invoices_dues_delete AFTER DELETE ON invoices
WHEN OLD.status IN ('open', 'past_due')
BEGIN
    UPDATE receivable_dues SET documents = documents - 1,
        debit = dec_sub(debit, CASE WHEN OLD.kind = 'credit_note' THEN '0' ELSE OLD.balance_accounting END),
        credit = dec_sub(credit, CASE WHEN OLD.kind = 'credit_note' THEN OLD.balance_accounting ELSE '0' END)
    WHERE OLD.status IN ('open', 'past_due') AND tenant_id = OLD.tenant_id AND due_date = COALESCE(OLD.due_date, '0001-01-01');
    DELETE FROM receivable_dues WHERE tenant_id = OLD.tenant_id AND due_date = COALESCE(OLD.due_date, '0001-01-01') AND documents = 0;
    UPDATE receivable_account_dues SET documents = documents - 1,
        debit = dec_sub(debit, CASE WHEN OLD.kind = 'credit_note' THEN '0' ELSE OLD.balance_accounting END),
        credit = dec_sub(credit, CASE WHEN OLD.kind = 'credit_note' THEN OLD.balance_accounting ELSE '0' END)
    WHERE OLD.status IN ('open', 'past_due') AND tenant_id = OLD.tenant_id AND account_id = OLD.invoice_account_id
        AND due_date = COALESCE(OLD.due_date, '0001-01-01');
    DELETE FROM receivable_account_dues WHERE tenant_id = OLD.tenant_id AND account_id = OLD.invoice_account_id
        AND due_date = COALESCE(OLD.due_date, '0001-01-01') AND documents = 0;
END;
-- +goose StatementEnd

-- Existing rows are summed by the Go migration 00013 (store/summaries.go),
-- the same code a bulk import runs afterwards.

-- +goose Down
SELECT 'forward-only';
