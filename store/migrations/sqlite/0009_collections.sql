-- Disposal and collections (分类处置/催收): SOPs and strategies, collection
-- episodes, tasks and queues, contact attempts, promises to pay, contact
-- flags, collectors' capacity, and the outbox of messages to channels.

-- A collector's (or account manager's, lawyer's) working profile beyond
-- the users table: team, capacity (the weight of capacity-weighted
-- assignment), skills (task kinds they take, '' any), regions ('' any),
-- and an absence (business dates, inclusive; 0 none).
CREATE TABLE collectors (
    name         TEXT PRIMARY KEY,
    team         TEXT NOT NULL DEFAULT '',
    capacity     INTEGER NOT NULL DEFAULT 100,
    skills       TEXT NOT NULL DEFAULT '',
    regions      TEXT NOT NULL DEFAULT '',
    absent_from  INTEGER NOT NULL DEFAULT 0,
    absent_until INTEGER NOT NULL DEFAULT 0,
    updated_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- SOP timelines and strategies as versioned JSON documents: a put adds a
-- version; the latest version of (kind, code) holds.
CREATE TABLE collection_plans (
    kind       TEXT NOT NULL,
    code       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, code, version)
);

-- A collection episode: a loan enters collection on the first day it is
-- past due and leaves it when cured (current again), settled or written
-- off (ended, outcome). The strategy, its arm (champion or challenger) and
-- segment are fixed on entry so that the arms can be compared; collected
-- is what was repaid during the episode, cost what its contacts cost.
CREATE TABLE collection_episodes (
    loan_id       BIGINT NOT NULL,
    started       INTEGER NOT NULL,
    ended         INTEGER NOT NULL DEFAULT 0,
    outcome       TEXT NOT NULL DEFAULT '',
    strategy      TEXT NOT NULL,
    arm           TEXT NOT NULL,
    segment       TEXT NOT NULL,
    entry_bucket  INTEGER NOT NULL,
    max_bucket    INTEGER NOT NULL,
    entry_overdue BIGINT NOT NULL,
    collected     BIGINT NOT NULL DEFAULT 0,
    willingness   INTEGER NOT NULL DEFAULT -1,
    PRIMARY KEY (loan_id, started)
) WITHOUT ROWID;
CREATE INDEX collection_episodes_open ON collection_episodes (ended, loan_id);

-- Tasks: what a person or a channel is to do on a loan. (loan_id, origin,
-- anchor) identifies the task a SOP step or a strategy action makes, so
-- close of business run twice makes it once. channel is 'person' for a
-- person's queue, else the automated channel (sms, ai-voice, email) whose
-- message goes through the outbox. priority is the expected loss PD ×
-- exposure, fen. state: open, escalated, done, closed (by close of
-- business: cured, settled, superseded), cancelled.
CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    loan_id     BIGINT NOT NULL,
    borrower_id BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    origin      TEXT NOT NULL,
    anchor      INTEGER NOT NULL,
    episode     INTEGER NOT NULL DEFAULT 0,
    arm         TEXT NOT NULL DEFAULT '',
    channel     TEXT NOT NULL,
    created     INTEGER NOT NULL,
    due         INTEGER NOT NULL,
    sla         INTEGER NOT NULL,
    priority    BIGINT NOT NULL,
    assignee    TEXT NOT NULL DEFAULT '',
    team        TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL,
    outcome     TEXT NOT NULL DEFAULT '',
    escalations INTEGER NOT NULL DEFAULT 0,
    closed      INTEGER NOT NULL DEFAULT 0,
    closed_by   TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX tasks_origin ON tasks (loan_id, origin, anchor);
CREATE INDEX tasks_queue ON tasks (assignee, state, priority) WHERE state IN ('open', 'escalated');

-- Contact attempts, human or automated, as the compliance guard counts
-- them: at is the instant (Unix seconds, UTC), business the business date.
-- number_key is a keyed hash of the number dialled (the number itself is
-- personal data and is not needed to count attempts per number). party is
-- debtor or third-party; connected: the call was answered; rpc: the right
-- party (the debtor) was reached. cost in fen.
CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    loan_id      BIGINT NOT NULL,
    borrower_id  BIGINT NOT NULL,
    task_id      BIGINT NOT NULL DEFAULT 0,
    at           BIGINT NOT NULL,
    business     INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    party        TEXT NOT NULL,
    number_key   TEXT NOT NULL DEFAULT '',
    by_name      TEXT NOT NULL,
    agency       TEXT NOT NULL DEFAULT '',
    connected    INTEGER NOT NULL,
    rpc          INTEGER NOT NULL,
    outcome      TEXT NOT NULL,
    recording    TEXT NOT NULL DEFAULT '',
    cost         BIGINT NOT NULL DEFAULT 0,
    satisfaction INTEGER NOT NULL DEFAULT 0,
    willingness  INTEGER NOT NULL DEFAULT -1,
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX contacts_borrower ON contacts (borrower_id, at);
CREATE INDEX contacts_loan ON contacts (loan_id, at);
CREATE INDEX contacts_business ON contacts (business);

-- Promises to pay (承诺还款), settled by close of business in the order
-- made: kept when the repayments since made reach amount by due, broken
-- when due passes first. paid is what counted toward it.
CREATE TABLE promises (
    id         INTEGER PRIMARY KEY,
    loan_id    BIGINT NOT NULL,
    task_id    BIGINT NOT NULL DEFAULT 0,
    contact_id BIGINT NOT NULL DEFAULT 0,
    made       INTEGER NOT NULL,
    due        INTEGER NOT NULL,
    amount     BIGINT NOT NULL CHECK (amount > 0),
    paid       BIGINT NOT NULL DEFAULT 0,
    state      TEXT NOT NULL,
    settled    INTEGER NOT NULL DEFAULT 0,
    by_name    TEXT NOT NULL
);
CREATE INDEX promises_loan ON promises (loan_id, id);
CREATE INDEX promises_open ON promises (state, due) WHERE state = 'open';
CREATE INDEX promises_made ON promises (made);
CREATE INDEX promises_settled ON promises (settled) WHERE settled <> 0;

-- Per-borrower contact flags: do not contact, a dispute hold until a
-- business date, consent to contact in quiet hours.
CREATE TABLE contact_flags (
    borrower_id    INTEGER PRIMARY KEY,
    do_not_contact INTEGER NOT NULL DEFAULT 0,
    dispute_until  INTEGER NOT NULL DEFAULT 0,
    consent        INTEGER NOT NULL DEFAULT 0,
    note           TEXT NOT NULL DEFAULT '',
    updated_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

-- Collection agencies (委外催收机构) the lender works with; only an active
-- agency may contact debtors.
CREATE TABLE agencies (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The transactional outbox: a message to a channel is inserted in the
-- transaction that makes its task, and sent after the commit. key is the
-- idempotency key the receiver deduplicates on. payload is sealed personal
-- data (pii field 'outbox'). state: pending, sent, dead; next_at (Unix
-- milliseconds) is when a pending message may next be tried, and a sender
-- that takes it moves next_at past its lease.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL,
    key        TEXT NOT NULL UNIQUE,
    loan_id    BIGINT NOT NULL DEFAULT 0,
    payload    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending',
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    BIGINT NOT NULL,
    sent_at    TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox (next_at) WHERE state = 'pending';

-- Collection KPIs per business date as close of business computed them,
-- by dimension (all, collector, team, arm, bucket, channel) and key.
-- figures is a JSON object of counts and sums; ratios are derived from it.
CREATE TABLE collection_daily (
    date      INTEGER NOT NULL,
    dimension TEXT NOT NULL,
    key       TEXT NOT NULL,
    figures   TEXT NOT NULL,
    PRIMARY KEY (date, dimension, key)
) WITHOUT ROWID;
