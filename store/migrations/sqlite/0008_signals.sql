-- Data sources, signals and early warning.

-- Raw records as each source delivered them, append-only: (source,
-- record_id) identifies a record, so a re-delivery is a no-op; hash is the
-- SHA-256 of its canonical form (signal.Record.Hash), so a different record
-- under an id already used is told apart from a re-delivery. payload is the
-- record's JSON sealed as personal data (pii field 'signal_record');
-- known is the business date it was stored, received_at the wall time.
-- signals are the typed signals its adapter derived (signal.Signal, as
-- "kind date value" lines, dates as day numbers): a borrower's signals are
-- read with the borrower's records, one row a record.
CREATE TABLE signal_records (
    source      TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    borrower_id BIGINT NOT NULL,
    date        INTEGER NOT NULL,
    known       INTEGER NOT NULL,
    hash        BLOB NOT NULL,
    payload     TEXT NOT NULL,
    signals     TEXT NOT NULL,
    received_at TEXT NOT NULL,
    received_by TEXT NOT NULL,
    -- A rowid table: rows of a sealed payload are too large for a
    -- WITHOUT ROWID b-tree, which rebalances whole rows.
    UNIQUE (source, record_id)
);
CREATE INDEX signal_records_borrower ON signal_records (borrower_id, date);

-- Where each pull adapter has read a source to.
CREATE TABLE source_cursors (
    source     TEXT PRIMARY KEY,
    cursor     TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Warning rules, versioned: a put adds a version; the latest version of a
-- code is the rule. enabled is the latest version's switch.
CREATE TABLE warning_rules (
    code        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    name        TEXT NOT NULL,
    expr        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    cooldown    INTEGER NOT NULL,
    owner       TEXT NOT NULL,
    enabled     INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

-- Warnings raised on loans and their life cycle (raised → acknowledged →
-- resolved or escalated). raised is the business date.
CREATE TABLE warnings (
    id          INTEGER PRIMARY KEY,
    loan_id     BIGINT NOT NULL,
    borrower_id BIGINT NOT NULL,
    rule        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    severity    TEXT NOT NULL,
    raised      INTEGER NOT NULL,
    state       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    owner       TEXT NOT NULL,
    raised_by   TEXT NOT NULL,
    updated     INTEGER NOT NULL,
    updated_by  TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX warnings_loan ON warnings (loan_id, rule, raised);
CREATE INDEX warnings_raised ON warnings (raised);
CREATE INDEX warnings_open ON warnings (state, severity) WHERE state <> 'resolved';

-- The first date each loan reached 30+ and 90+ days past due and class
-- substandard (次级) or worse, as close of business saw it: what judges a
-- rule set. Zero for not yet.
CREATE TABLE loan_milestones (
    loan_id     INTEGER PRIMARY KEY,
    dpd30       INTEGER NOT NULL DEFAULT 0,
    dpd90       INTEGER NOT NULL DEFAULT 0,
    substandard INTEGER NOT NULL DEFAULT 0
);
