-- Close of business (EOD) and the generated portfolio. Dates are day
-- numbers, money integer fen. Per-loan and per-borrower tables are keyed by
-- loan_id / borrower_id first; aggregate tables by business date first.

-- What a borrower profile adds to the borrowers table: the attributes a
-- lender sees and, for generated portfolios, the latent risk that drives
-- both payment behaviour and the external signals.
CREATE TABLE borrower_profiles (
    borrower_id INTEGER PRIMARY KEY,
    age         INTEGER NOT NULL,
    gender      TEXT NOT NULL,
    region      TEXT NOT NULL,
    income_band INTEGER NOT NULL,
    occupation  TEXT NOT NULL,
    industry    TEXT NOT NULL,
    latent_risk REAL NOT NULL,
    risk        REAL NOT NULL
);

-- One row per close-of-business date: the run and its checkpoint. A run in
-- status 'running' is resumed from phase and last_loan (the last loan id
-- done in phase 'scan'); counters are committed with every chunk.
CREATE TABLE eod_runs (
    as_of       INTEGER PRIMARY KEY,
    mode        TEXT NOT NULL,
    status      TEXT NOT NULL,
    phase       TEXT NOT NULL,
    last_loan   BIGINT NOT NULL DEFAULT 0,
    prev        INTEGER NOT NULL DEFAULT 0,
    chunks      BIGINT NOT NULL DEFAULT 0,
    summary     TEXT NOT NULL DEFAULT '{}',
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT ''
);

-- What the last close of business counted for each loan (eod.Record): the
-- aggregates are maintained by moving a re-derived loan from its old cells
-- to its new ones.
CREATE TABLE eod_loans (
    loan_id      INTEGER PRIMARY KEY,
    as_of        INTEGER NOT NULL,
    product      TEXT NOT NULL,
    branch       TEXT NOT NULL,
    vintage      INTEGER NOT NULL,
    principal    BIGINT NOT NULL,
    status       TEXT NOT NULL,
    bucket       INTEGER NOT NULL,
    class        INTEGER NOT NULL,
    stage        INTEGER NOT NULL,
    dpd          INTEGER NOT NULL,
    max_dpd      INTEGER NOT NULL,
    outstanding  BIGINT NOT NULL,
    overdue      BIGINT NOT NULL,
    ecl          BIGINT NOT NULL,
    written_off  BIGINT NOT NULL,
    recovered    BIGINT NOT NULL,
    from_month   INTEGER NOT NULL,
    from_state   INTEGER NOT NULL,
    from_balance BIGINT NOT NULL
);

-- Loans with events since close of business last saw them. Triggers mark
-- every new transaction and every decided classification override, whatever
-- code path wrote it; EOD clears a mark in the transaction that re-derives
-- the loan. events counts marks, so a reader can tell whether a loan changed
-- between two looks.
CREATE TABLE eod_dirty (
    loan_id INTEGER PRIMARY KEY,
    events  INTEGER NOT NULL
);

CREATE TRIGGER transactions_eod_dirty AFTER INSERT ON transactions
BEGIN
    INSERT INTO eod_dirty (loan_id, events) VALUES (NEW.loan_id, 1)
    ON CONFLICT (loan_id) DO UPDATE SET events = eod_dirty.events + 1;
END;

CREATE TRIGGER overrides_eod_dirty AFTER UPDATE OF status ON classification_overrides
BEGIN
    INSERT INTO eod_dirty (loan_id, events) VALUES (NEW.loan_id, 1)
    ON CONFLICT (loan_id) DO UPDATE SET events = eod_dirty.events + 1;
END;

-- The loans whose state can change with the date alone (eod.Volatile, less
-- the due-date test, which uses loan_state_next_due).
CREATE INDEX loan_state_volatile ON loan_state (loan_id)
    WHERE status = 'written-off' OR dpd > 0 OR overdue_principal > 0 OR overdue_interest > 0 OR (restructured = 1 AND class = 2);

-- Daily portfolio breakdown.
CREATE TABLE agg_portfolio (
    as_of       INTEGER NOT NULL,
    product     TEXT NOT NULL,
    branch      TEXT NOT NULL,
    status      TEXT NOT NULL,
    bucket      INTEGER NOT NULL,
    class       INTEGER NOT NULL,
    stage       INTEGER NOT NULL,
    loans       BIGINT NOT NULL,
    outstanding BIGINT NOT NULL,
    overdue     BIGINT NOT NULL,
    ecl         BIGINT NOT NULL,
    written_off BIGINT NOT NULL,
    recovered   BIGINT NOT NULL,
    PRIMARY KEY (as_of, product, branch, status, bucket, class, stage)
);

-- Roll-rate (flow) cells: loans active at the previous month end by state
-- then (from_state) and on as_of (to_state). On a month end they are that
-- month's matrix.
CREATE TABLE agg_roll (
    as_of        INTEGER NOT NULL,
    product      TEXT NOT NULL,
    from_state   INTEGER NOT NULL,
    to_state     INTEGER NOT NULL,
    loans        BIGINT NOT NULL,
    from_balance BIGINT NOT NULL,
    to_balance   BIGINT NOT NULL,
    PRIMARY KEY (as_of, product, from_state, to_state)
);

-- Vintage cells: per product and disbursement month (year*12 + month - 1).
CREATE TABLE agg_vintage (
    as_of            INTEGER NOT NULL,
    product          TEXT NOT NULL,
    vintage          INTEGER NOT NULL,
    loans            BIGINT NOT NULL,
    principal        BIGINT NOT NULL,
    outstanding      BIGINT NOT NULL,
    ever30           BIGINT NOT NULL,
    ever30_principal BIGINT NOT NULL,
    ever90           BIGINT NOT NULL,
    ever90_principal BIGINT NOT NULL,
    cur30            BIGINT NOT NULL,
    cur30_balance    BIGINT NOT NULL,
    cur90            BIGINT NOT NULL,
    cur90_balance    BIGINT NOT NULL,
    PRIMARY KEY (as_of, product, vintage)
);
