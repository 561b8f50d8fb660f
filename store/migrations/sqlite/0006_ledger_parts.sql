-- The ledger's finer facts: compound interest (复利) is a charge of its own
-- beside penalty interest (罚息); a restructured loan's observation hold
-- has an end date close of business wakes it on; a product says which
-- grace convention it follows; and every transaction row records what it
-- applied to each component when it was posted (rows posted before this
-- version record zeros: their replay says what they did).
ALTER TABLE products ADD COLUMN grace_mode TEXT NOT NULL DEFAULT 'after-grace';
ALTER TABLE loan_state ADD COLUMN compound_due BIGINT NOT NULL DEFAULT 0;
ALTER TABLE loan_state ADD COLUMN observation_end INTEGER NOT NULL DEFAULT 0;
-- Nothing selects by DPD: the index only cost every write.
DROP INDEX loan_state_dpd;
-- The few transactions whose replay needs more than kind, date and amount:
-- close of business reads those columns of these rows only.
CREATE INDEX transactions_special ON transactions (loan_id) WHERE kind IN ('reversal', 'waiver', 'restructure');
ALTER TABLE transactions ADD COLUMN applied_fee BIGINT NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN applied_penalty BIGINT NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN applied_compound BIGINT NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN applied_interest BIGINT NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN applied_principal BIGINT NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN applied_prepaid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN applied_credit BIGINT NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN applied_recovery BIGINT NOT NULL DEFAULT 0;
-- This version derives loans by refined rules (early settlement, interest
-- to date on prepayment, the split of penalty and compound, the
-- restructuring hold): every cached state is derived again by the next
-- close of business.
INSERT INTO eod_dirty (loan_id, events) SELECT loan_id, 1 FROM loan_state WHERE true
    ON CONFLICT (loan_id) DO UPDATE SET events = eod_dirty.events + 1;
