-- Who did what: users and their scope, API tokens and sessions, the audit
-- trail, and personal data encrypted at rest.

-- A user of the console, the API or the command line. name is the name
-- as auth normalises it (lower case), so names compare without regard to
-- case. roles is a comma-separated list. scope is what an admin granted
-- beyond the roles' own: '' (none), 'all', or 'branch:0101,0102'. officer
-- is the officer code loans carry (loans.officer) that makes a loan an
-- account manager's (one user a code); it defaults to the user's name. password is an
-- argon2id PHC string ('' for none: the user cannot log in).
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    roles       TEXT NOT NULL,
    scope       TEXT NOT NULL DEFAULT '',
    officer     TEXT NOT NULL,
    password    TEXT NOT NULL DEFAULT '',
    disabled    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX users_officer ON users (officer);

-- Loans assigned to a user (a collector's queue, a lawyer's case), by the
-- user's name: collectors and lawyers see the loans assigned to them.
CREATE TABLE loan_assignments (
    assignee    TEXT NOT NULL,
    loan_id     BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    since       INTEGER NOT NULL,
    PRIMARY KEY (assignee, loan_id)
) WITHOUT ROWID;
CREATE INDEX loan_assignments_loan ON loan_assignments (loan_id);

-- An API token for an integration, or a session of a logged-in user.
-- token_id is the token's public part, by which it is found; only the
-- SHA-256 of the whole token is stored, and the token is shown once. A
-- token of kind 'api' carries its own roles and scope; a session acts as
-- its user.
CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    token_id    TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    user_id     BIGINT NOT NULL DEFAULT 0,
    roles       TEXT NOT NULL DEFAULT '',
    scope       TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL DEFAULT '',
    revoked_at  TEXT NOT NULL DEFAULT '',
    csrf        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX api_tokens_user ON api_tokens (user_id) WHERE user_id <> 0;

-- The audit trail: one hash chain (package audit). seq is the entry's
-- place in the chain (1, 2, 3 … with no gaps); at is the wall time in Unix
-- microseconds; change is the digest of the change; hash covers every
-- other column and the hash of the entry before, so an edit, a deletion,
-- an insertion or a swap breaks the chain where it was made. audit_head holds the last entry's seq and
-- hash: appending reads and moves it in the writing transaction, which
-- serialises appends and makes a deletion at the tail visible.
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            BIGINT NOT NULL,
    business_date INTEGER NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    object        TEXT NOT NULL,
    change        TEXT NOT NULL,
    detail        TEXT NOT NULL,
    prev          TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object, seq);
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
-- The head of the empty chain: audit.Genesis(), SHA-256 of
-- 'daihou-audit-v1 genesis'.
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'd444cd6a8ac5dbc59513bb1a2a95c5b13b8f41ee947d6b9a58a51d3f8fd2a303');

-- Personal data sealed with AES-256-GCM (package pii): name, id_number,
-- phone and the new address hold sealed text (e<key version>:<base64>,
-- '' for none), and beside each but the address a keyed hash of the
-- normalised value (s<key version>:<base64>) for exact-match search.
-- Rows written before this migration hold plain text until daihou, opened
-- with a key, seals them.
ALTER TABLE borrowers ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE borrowers ADD COLUMN name_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE borrowers ADD COLUMN id_number_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE borrowers ADD COLUMN phone_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX borrowers_name_hash ON borrowers (name_hash) WHERE name_hash <> '';
CREATE INDEX borrowers_id_number_hash ON borrowers (id_number_hash) WHERE id_number_hash <> '';
CREATE INDEX borrowers_phone_hash ON borrowers (phone_hash) WHERE phone_hash <> '';

-- A data scope reads loans by branch or officer code.
CREATE INDEX loans_branch ON loans (branch, id);
CREATE INDEX loans_officer ON loans (officer, id);
