-- Maker-checker (四眼原则) for waivers (减免), write-offs (核销) and
-- restructurings (重组), and legal and recovery cases (诉讼/委外).

-- A proposal of one ledger transaction on a loan, made by its maker and
-- decided by another user (the checker). Nothing reaches the ledger before
-- approval; an approval posts the transaction in the transaction that
-- records the decision, and posted_seq is its seq in the loan's ledger.
-- kind: waiver, writeoff, restructure. The transaction's parameters are
-- columns: amount (fen; a waiver's, or what a write-off would take when it
-- was proposed), component (a waiver's), new_rate (money.Rate's fixed
-- point), new_term (months) and new_method (a restructuring's). business is
-- the business date proposed on, decided the one decided on. status:
-- pending, approved, rejected, withdrawn. One pending proposal of a kind a
-- loan.
CREATE TABLE proposals (
    id          INTEGER PRIMARY KEY,
    loan_id     BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('waiver', 'writeoff', 'restructure')),
    amount      BIGINT NOT NULL DEFAULT 0,
    component   TEXT NOT NULL DEFAULT '',
    new_rate    BIGINT NOT NULL DEFAULT 0,
    new_term    INTEGER NOT NULL DEFAULT 0,
    new_method  TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    maker       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    business    INTEGER NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    checker     TEXT NOT NULL DEFAULT '',
    decided_at  TEXT NOT NULL DEFAULT '',
    decided     INTEGER NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    posted_seq  BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX proposals_pending ON proposals (loan_id, kind) WHERE status = 'pending';
CREATE INDEX proposals_loan ON proposals (loan_id, id);
CREATE INDEX proposals_status ON proposals (status, id);

-- A legal or recovery case: a loan sent to litigation (诉讼) or placed with
-- a collection agency (委外, agency names agencies.code). stage follows the
-- kind's life cycle (package legal); opened and closed are business dates
-- (closed 0 while open); court and court_ref (案号) for litigation;
-- assignee the user with role legal who works it; costs and recovered in
-- fen, the sums of its events; events the number of its events (the last
-- event's seq). One open case of a kind a loan.
CREATE TABLE legal_cases (
    id          INTEGER PRIMARY KEY,
    loan_id     BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('litigation', 'agency')),
    agency      TEXT NOT NULL DEFAULT '',
    stage       TEXT NOT NULL,
    opened      INTEGER NOT NULL,
    closed      INTEGER NOT NULL DEFAULT 0,
    court       TEXT NOT NULL DEFAULT '',
    court_ref   TEXT NOT NULL DEFAULT '',
    assignee    TEXT NOT NULL DEFAULT '',
    costs       BIGINT NOT NULL DEFAULT 0,
    recovered   BIGINT NOT NULL DEFAULT 0,
    events      INTEGER NOT NULL DEFAULT 0,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX legal_cases_open ON legal_cases (loan_id, kind) WHERE closed = 0;
CREATE INDEX legal_cases_loan ON legal_cases (loan_id, id);

-- What happened on a case, in order: opened, moved to a stage, a cost
-- (court fees, lawyer's or agency's fees) or a recovery, posted to the
-- loan's ledger as ledger_seq. stage is the case's stage after the event;
-- business the business date; at the wall time; by_name who recorded it.
CREATE TABLE legal_case_events (
    case_id     BIGINT NOT NULL,
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    business    INTEGER NOT NULL,
    stage       TEXT NOT NULL,
    cost        BIGINT NOT NULL DEFAULT 0,
    recovery    BIGINT NOT NULL DEFAULT 0,
    ledger_seq  BIGINT NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    by_name     TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
) WITHOUT ROWID;
