-- Close of business as one pipeline of steps, contagion, and ids from the
-- database's own sequences.

-- What derivation adds to the cached state: the borrower (contagion looks
-- at all of a borrower's loans), the class the loan has on its own and
-- whether contagion raised it, the loan's first behaviour score (the
-- reference of IFRS 9's significant increase in credit risk), and the wake
-- date: the first date on which the loan can change with no new event,
-- zero for never. A day's close of business takes the loans whose wake
-- date has come and those with events: one index range.
ALTER TABLE loan_state ADD COLUMN borrower_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE loan_state ADD COLUMN wake_date INTEGER NOT NULL DEFAULT 0;
ALTER TABLE loan_state ADD COLUMN own_class INTEGER NOT NULL DEFAULT 0;
ALTER TABLE loan_state ADD COLUMN contagion INTEGER NOT NULL DEFAULT 0;
ALTER TABLE loan_state ADD COLUMN initial_score INTEGER NOT NULL DEFAULT 0;
-- Contagion was never applied before, so a loan's class was its own. The
-- wake date is what the old selection would have taken: every loan that
-- could change, from the day after its snapshot.
UPDATE loan_state SET
    borrower_id = (SELECT l.borrower_id FROM loans l WHERE l.id = loan_state.loan_id),
    own_class = class,
    initial_score = COALESCE((SELECT CAST(s.score AS INTEGER) FROM loan_scores s WHERE s.loan_id = loan_state.loan_id ORDER BY s.as_of LIMIT 1), 0),
    wake_date = CASE
        WHEN status = 'settled' THEN 0
        WHEN status = 'written-off' OR dpd > 0 OR overdue_principal > 0 OR overdue_interest > 0 OR restructured = 1 THEN as_of + 1
        WHEN next_due_date > as_of THEN next_due_date
        WHEN next_due_date > 0 THEN as_of + 1
        ELSE 0 END;
DROP INDEX loan_state_volatile;
DROP INDEX loan_state_next_due;
CREATE INDEX loan_state_wake ON loan_state (wake_date) WHERE wake_date > 0;
CREATE INDEX loan_state_borrower ON loan_state (borrower_id);

-- How many other loans the borrower has: contagion reads the exposures of
-- only those borrowers.
ALTER TABLE loans ADD COLUMN siblings INTEGER NOT NULL DEFAULT 0;
UPDATE loans SET siblings = (SELECT COUNT(*) - 1 FROM loans o WHERE o.borrower_id = loans.borrower_id)
    WHERE borrower_id IN (SELECT borrower_id FROM loans GROUP BY borrower_id HAVING COUNT(*) > 1);

-- A reference (idempotency key) names one transaction in the whole book:
-- a payment re-delivered against another loan is a conflict, not a second
-- payment. Before, a reference was unique per loan only, and one that two
-- loans share is the very double posting this now refuses: the later
-- loans' copies are renamed REFERENCE#LOAN_ID (the only rows a migration
-- rewrites, named so they can be traced), then one index holds the rule.
UPDATE transactions SET reference = reference || '#' || CAST(loan_id AS TEXT)
    WHERE reference <> '' AND EXISTS (SELECT 1 FROM transactions o WHERE o.reference = transactions.reference AND o.loan_id < transactions.loan_id);
DROP INDEX transactions_reference;
CREATE UNIQUE INDEX transactions_ref ON transactions (reference) WHERE reference <> '';

-- Every attempt at a date: attempt 1 closes it, later attempts re-run it
-- and keep the close's summary. token names the attempt for its
-- partitions' jobs.
CREATE TABLE eod_runs_new (
    as_of       INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    mode        TEXT NOT NULL,
    status      TEXT NOT NULL,
    phase       TEXT NOT NULL,
    last_loan   BIGINT NOT NULL DEFAULT 0,
    prev        INTEGER NOT NULL DEFAULT 0,
    chunks      BIGINT NOT NULL DEFAULT 0,
    summary     TEXT NOT NULL DEFAULT '{}',
    token       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (as_of, attempt)
);
INSERT INTO eod_runs_new (as_of, attempt, mode, status, phase, last_loan, prev, chunks, summary, token, started_at, finished_at)
    SELECT as_of, 1, mode, status, phase, last_loan, prev, chunks, summary, started_at, started_at, finished_at FROM eod_runs;
DROP TABLE eod_runs;
ALTER TABLE eod_runs_new RENAME TO eod_runs;
CREATE INDEX eod_runs_status ON eod_runs (status, as_of);

-- Class changes keyed by the database's own sequence: two processes may
-- change one loan's class on one business date.
CREATE TABLE classification_history_new (
    id         INTEGER PRIMARY KEY,
    loan_id    BIGINT NOT NULL,
    as_of      INTEGER NOT NULL,
    from_class INTEGER NOT NULL,
    to_class   INTEGER NOT NULL,
    cause      TEXT NOT NULL
);
INSERT INTO classification_history_new (loan_id, as_of, from_class, to_class, cause)
    SELECT loan_id, as_of, from_class, to_class, cause FROM classification_history ORDER BY loan_id, seq;
DROP TABLE classification_history;
ALTER TABLE classification_history_new RENAME TO classification_history;
CREATE INDEX classification_history_loan ON classification_history (loan_id, id);

-- Overrides numbered by the database.
CREATE TABLE classification_overrides_new (
    id         INTEGER PRIMARY KEY,
    loan_id    BIGINT NOT NULL,
    class      INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    maker      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    checker    TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL
);
INSERT INTO classification_overrides_new (loan_id, class, reason, maker, created_at, checker, decided_at, status)
    SELECT loan_id, class, reason, maker, created_at, checker, decided_at, status FROM classification_overrides ORDER BY created_at, loan_id, id;
DROP TABLE classification_overrides;
ALTER TABLE classification_overrides_new RENAME TO classification_overrides;
CREATE INDEX classification_overrides_loan ON classification_overrides (loan_id, id);
CREATE TRIGGER overrides_eod_dirty AFTER UPDATE OF status ON classification_overrides
BEGIN
    INSERT INTO eod_dirty (loan_id, events) VALUES (NEW.loan_id, 1)
    ON CONFLICT (loan_id) DO UPDATE SET events = eod_dirty.events + 1;
END;

-- Models numbered by the database (INTEGER PRIMARY KEY is SQLite's rowid).
CREATE TABLE models_new (
    id          INTEGER PRIMARY KEY,
    segment     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    as_of       INTEGER NOT NULL,
    horizon     INTEGER NOT NULL,
    metrics     TEXT NOT NULL,
    artefact    TEXT NOT NULL,
    champion    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (segment, version)
);
INSERT INTO models_new SELECT id, segment, version, kind, created_at, as_of, horizon, metrics, artefact, champion FROM models;
DROP TABLE models;
ALTER TABLE models_new RENAME TO models;
