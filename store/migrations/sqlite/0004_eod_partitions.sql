-- Scale-out close of business (daihou eod --workers N): the run of a date
-- split into partitions of loan ids, each worked by whichever worker holds
-- its lease (a queue job) and checkpointed on its own. A partition covers
-- the loans with lo < id <= hi; last_loan is its cursor (the last loan id
-- committed, lo before the first chunk), moved only by a chunk's commit and
-- only from the value the committing worker read: a worker whose lease was
-- taken over stops at its next commit instead of counting a chunk twice.
-- run is the eod_runs.started_at of the run the partitions belong to.
CREATE TABLE eod_partitions (
    as_of     BIGINT NOT NULL,
    part      INTEGER NOT NULL,
    run       TEXT NOT NULL,
    lo        BIGINT NOT NULL,
    hi        BIGINT NOT NULL,
    last_loan BIGINT NOT NULL,
    status    TEXT NOT NULL DEFAULT 'open',
    chunks    BIGINT NOT NULL DEFAULT 0,
    summary   TEXT NOT NULL DEFAULT '{}',
    worker    TEXT NOT NULL DEFAULT '',
    beat_at   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (as_of, part)
);
