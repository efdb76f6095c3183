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
    date      date NOT NULL,
    debit     numeric NOT NULL,
    credit    numeric NOT NULL,
    PRIMARY KEY (tenant_id, account, date)
);

-- receivable_dues holds the open balance (accounting currency) of the open
-- and past due documents per due date: invoices in debit, credit notes in
-- credit, and how many documents there are (the row goes at zero). A
-- trigger on invoices keeps it, whichever statement changes a document. A
-- document without a due date counts as due on 0001-01-01 (the oldest bucket).
CREATE TABLE receivable_dues (
    tenant_id text NOT NULL,
    due_date  date NOT NULL,
    documents integer NOT NULL,
    debit     numeric NOT NULL,
    credit    numeric NOT NULL,
    PRIMARY KEY (tenant_id, due_date)
);

-- receivable_account_dues is the same per bill-to account: the aging page
-- lists the accounts with open documents from it and sums each one's
-- buckets over its due dates, not over its documents.
CREATE TABLE receivable_account_dues (
    tenant_id  text NOT NULL,
    account_id text NOT NULL,
    due_date   date NOT NULL,
    documents  integer NOT NULL,
    debit      numeric NOT NULL,
    credit     numeric NOT NULL,
    PRIMARY KEY (tenant_id, account_id, due_date)
);

-- The function keeps the search path it was created with: the schema
-- Facturo migrated, whichever session's path calls it. Before it touches a
-- due date's row it locks the tenant's journal counter, the lock every
-- posting takes first: so transactions always lock the counter before any
-- receivable_dues row, and two of them cannot wait for each other in
-- opposite order (documents with a balance change post entries anyway, so
-- this serializes nothing that was not already serialized).
-- +goose StatementBegin
CREATE FUNCTION invoices_dues_apply() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    tenant text := CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
BEGIN
    PERFORM 1 FROM counters WHERE tenant_id = tenant AND name = 'journal' FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO counters (tenant_id, name, value) VALUES (tenant, 'journal', 0) ON CONFLICT DO NOTHING;
        PERFORM 1 FROM counters WHERE tenant_id = tenant AND name = 'journal' FOR UPDATE;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('open', 'past_due') THEN
        UPDATE receivable_dues SET documents = documents - 1,
            debit = debit - CASE WHEN OLD.kind = 'credit_note' THEN 0 ELSE OLD.balance_accounting END,
            credit = credit - CASE WHEN OLD.kind = 'credit_note' THEN OLD.balance_accounting ELSE 0 END
        WHERE tenant_id = OLD.tenant_id AND due_date = COALESCE(OLD.due_date, DATE '0001-01-01');
        DELETE FROM receivable_dues
        WHERE tenant_id = OLD.tenant_id AND due_date = COALESCE(OLD.due_date, DATE '0001-01-01') AND documents = 0;
        UPDATE receivable_account_dues SET documents = documents - 1,
            debit = debit - CASE WHEN OLD.kind = 'credit_note' THEN 0 ELSE OLD.balance_accounting END,
            credit = credit - CASE WHEN OLD.kind = 'credit_note' THEN OLD.balance_accounting ELSE 0 END
        WHERE tenant_id = OLD.tenant_id AND account_id = OLD.invoice_account_id AND due_date = COALESCE(OLD.due_date, DATE '0001-01-01');
        DELETE FROM receivable_account_dues
        WHERE tenant_id = OLD.tenant_id AND account_id = OLD.invoice_account_id
            AND due_date = COALESCE(OLD.due_date, DATE '0001-01-01') AND documents = 0;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.status IN ('open', 'past_due') THEN
        INSERT INTO receivable_dues AS r (tenant_id, due_date, documents, debit, credit)
        VALUES (NEW.tenant_id, COALESCE(NEW.due_date, DATE '0001-01-01'), 1,
            CASE WHEN NEW.kind = 'credit_note' THEN 0 ELSE NEW.balance_accounting END,
            CASE WHEN NEW.kind = 'credit_note' THEN NEW.balance_accounting ELSE 0 END)
        ON CONFLICT (tenant_id, due_date) DO UPDATE SET documents = r.documents + 1,
            debit = r.debit + excluded.debit, credit = r.credit + excluded.credit;
        INSERT INTO receivable_account_dues AS r (tenant_id, account_id, due_date, documents, debit, credit)
        VALUES (NEW.tenant_id, NEW.invoice_account_id, COALESCE(NEW.due_date, DATE '0001-01-01'), 1,
            CASE WHEN NEW.kind = 'credit_note' THEN 0 ELSE NEW.balance_accounting END,
            CASE WHEN NEW.kind = 'credit_note' THEN NEW.balance_accounting ELSE 0 END)
        ON CONFLICT (tenant_id, account_id, due_date) DO UPDATE SET documents = r.documents + 1,
            debit = r.debit + excluded.debit, credit = r.credit + excluded.credit;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER invoices_dues_insert AFTER INSERT ON invoices
    FOR EACH ROW WHEN (NEW.status IN ('open', 'past_due')) EXECUTE FUNCTION invoices_dues_apply();
CREATE TRIGGER invoices_dues_update AFTER UPDATE OF status, kind, due_date, balance_accounting, invoice_account_id ON invoices
    FOR EACH ROW WHEN ((OLD.status IN ('open', 'past_due') OR NEW.status IN ('open', 'past_due'))
        AND NOT (OLD.status IN ('open', 'past_due') AND NEW.status IN ('open', 'past_due') AND OLD.kind = NEW.kind
            AND OLD.due_date IS NOT DISTINCT FROM NEW.due_date AND OLD.balance_accounting = NEW.balance_accounting
            AND OLD.invoice_account_id = NEW.invoice_account_id))
    EXECUTE FUNCTION invoices_dues_apply();
CREATE TRIGGER invoices_dues_delete AFTER DELETE ON invoices
    FOR EACH ROW WHEN (OLD.status IN ('open', 'past_due')) EXECUTE FUNCTION invoices_dues_apply();

-- Existing rows are summed by the Go migration 00013 (store/summaries.go),
-- the same code a bulk import runs afterwards.

-- +goose Down
SELECT 'forward-only';
