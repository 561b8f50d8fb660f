-- The servicing ledger (SQLite). Single-column integer keys are declared
-- INTEGER PRIMARY KEY so that they are the table's rowid, and tables with
-- composite keys are WITHOUT ROWID so that they are stored in key order:
-- one b-tree per table instead of two, and a loan's transactions together.
-- Dates are day numbers since 1970-01-01, money is
-- integer fen, rates are integers in units of 1e-10. Every per-loan table
-- has loan_id as the first column of its primary key, so a distributed
-- database can shard all of them by loan_id unchanged.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE products (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    currency     TEXT NOT NULL,
    method       TEXT NOT NULL,
    day_count    TEXT NOT NULL,
    penalty_rate BIGINT NOT NULL,
    compound     INTEGER NOT NULL,
    grace_days   INTEGER NOT NULL,
    tolerance    BIGINT NOT NULL,
    allocation   TEXT NOT NULL,
    prepayment   TEXT NOT NULL,
    lgd          BIGINT NOT NULL
);

CREATE TABLE borrowers (
    id          INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL DEFAULT '',
    id_number   TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    region      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE loans (
    id          INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    borrower_id BIGINT NOT NULL REFERENCES borrowers (id),
    product     TEXT NOT NULL REFERENCES products (code),
    currency    TEXT NOT NULL,
    principal   BIGINT NOT NULL CHECK (principal > 0),
    rate        BIGINT NOT NULL CHECK (rate >= 0),
    term        INTEGER NOT NULL CHECK (term BETWEEN 1 AND 480),
    method      TEXT NOT NULL,
    disbursed   INTEGER NOT NULL,
    branch      TEXT NOT NULL DEFAULT '',
    officer     TEXT NOT NULL DEFAULT '',
    region      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX loans_borrower ON loans (borrower_id);

-- Append-only: rows are never updated or deleted. seq orders a loan's
-- transactions with the same value date.
CREATE TABLE transactions (
    loan_id    BIGINT NOT NULL,
    seq        BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    value_date INTEGER NOT NULL,
    amount     BIGINT NOT NULL,
    channel    TEXT NOT NULL DEFAULT '',
    reference  TEXT NOT NULL DEFAULT '',
    reverses   BIGINT NOT NULL DEFAULT 0,
    component  TEXT NOT NULL DEFAULT '',
    new_rate   BIGINT NOT NULL DEFAULT 0,
    new_term   INTEGER NOT NULL DEFAULT 0,
    new_method TEXT NOT NULL DEFAULT '',
    posted_at  TEXT NOT NULL,
    PRIMARY KEY (loan_id, seq)
) WITHOUT ROWID;
-- The idempotency key: one external reference per loan.
CREATE UNIQUE INDEX transactions_reference ON transactions (loan_id, reference) WHERE reference <> '';

-- A cache of servicing.Replay as of the business date; a test proves it
-- equals a fresh replay.
CREATE TABLE loan_state (
    loan_id               INTEGER PRIMARY KEY,
    as_of                 INTEGER NOT NULL,
    status                TEXT NOT NULL,
    principal_outstanding BIGINT NOT NULL,
    overdue_principal     BIGINT NOT NULL,
    overdue_interest      BIGINT NOT NULL,
    penalty_due           BIGINT NOT NULL,
    fees_due              BIGINT NOT NULL,
    credit                BIGINT NOT NULL,
    dpd                   INTEGER NOT NULL,
    max_dpd               INTEGER NOT NULL,
    bucket                TEXT NOT NULL,
    class                 INTEGER NOT NULL,
    class_cause           TEXT NOT NULL,
    stage                 INTEGER NOT NULL,
    next_due_date         INTEGER NOT NULL,
    next_due_amount       BIGINT NOT NULL,
    oldest_unpaid_due     INTEGER NOT NULL,
    paid_principal        BIGINT NOT NULL,
    paid_interest         BIGINT NOT NULL,
    paid_penalty          BIGINT NOT NULL,
    written_off           BIGINT NOT NULL,
    recovered             BIGINT NOT NULL,
    restructured          INTEGER NOT NULL,
    observation_start     INTEGER NOT NULL,
    settled_date          INTEGER NOT NULL
);
CREATE INDEX loan_state_next_due ON loan_state (next_due_date);
CREATE INDEX loan_state_dpd ON loan_state (dpd);

-- Classification overrides above the regulatory floor, maker-checker.
CREATE TABLE classification_overrides (
    loan_id    BIGINT NOT NULL,
    id         BIGINT NOT NULL,
    class      INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    maker      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    checker    TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    PRIMARY KEY (loan_id, id)
) WITHOUT ROWID;

-- Every change of class, with its cause.
CREATE TABLE classification_history (
    loan_id    BIGINT NOT NULL,
    seq        BIGINT NOT NULL,
    as_of      INTEGER NOT NULL,
    from_class INTEGER NOT NULL,
    to_class   INTEGER NOT NULL,
    cause      TEXT NOT NULL,
    PRIMARY KEY (loan_id, seq)
) WITHOUT ROWID;
