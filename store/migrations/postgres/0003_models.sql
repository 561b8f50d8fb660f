-- The model registry, per-loan score history and model monitoring.

-- Every trained model version with its artefact (the JSON model file,
-- human-readable) and its metrics; at most one champion per segment.
CREATE TABLE models (
    id          BIGINT PRIMARY KEY,
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

-- A loan's score each time its inputs changed, with the reason codes
-- (JSON) that explain it.
CREATE TABLE loan_scores (
    loan_id  BIGINT NOT NULL,
    as_of    INTEGER NOT NULL,
    model_id BIGINT NOT NULL,
    score    DOUBLE PRECISION NOT NULL,
    pd       DOUBLE PRECISION NOT NULL,
    reasons  TEXT NOT NULL,
    PRIMARY KEY (loan_id, as_of)
);

-- Population stability of each model's scored population against its
-- training population, by month.
CREATE TABLE model_monitoring (
    model_id   BIGINT NOT NULL,
    month      INTEGER NOT NULL,
    population BIGINT NOT NULL,
    psi        DOUBLE PRECISION NOT NULL,
    mean_pd    DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (model_id, month)
);

-- The cached state carries the latest score: the model, its points, the
-- PD over the loan's IFRS 9 horizon (units of 1e-10, as rates) that ECL
-- uses, and the reason codes.
ALTER TABLE loan_state ADD COLUMN model_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE loan_state ADD COLUMN score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE loan_state ADD COLUMN pd BIGINT NOT NULL DEFAULT 0;
ALTER TABLE loan_state ADD COLUMN reasons TEXT NOT NULL DEFAULT '';
