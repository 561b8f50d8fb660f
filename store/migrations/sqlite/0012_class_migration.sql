-- Five-tier migration (五级分类迁徙) cells: loans active at the previous
-- month end by their class then (from_class) and their state on as_of
-- (to_state: the class 1-5 while active, 6 settled, 7 written off), kept
-- like the roll cells so that a month end's cells are that month's matrix.
-- A record's from_class is its class at the previous month end; 0 for a
-- record written before this table existed, which counts in no cell until
-- the next month opens.
ALTER TABLE eod_loans ADD COLUMN from_class INTEGER NOT NULL DEFAULT 0;
CREATE TABLE agg_migration (
    as_of        INTEGER NOT NULL,
    product      TEXT NOT NULL,
    branch       TEXT NOT NULL,
    from_class   INTEGER NOT NULL,
    to_state     INTEGER NOT NULL,
    loans        BIGINT NOT NULL,
    from_balance BIGINT NOT NULL,
    to_balance   BIGINT NOT NULL,
    PRIMARY KEY (as_of, product, branch, from_class, to_state)
);
-- A book closed before this migration: the latest date's month opened
-- without migration cells, so they are opened here as close of business
-- opens a month (every loan active at the previous month end on the
-- diagonal, in its class), from the records whose month has turned since
-- they were written; records of the latest month itself have no known
-- class at its start and stay out until the next month.
INSERT INTO agg_migration (as_of, product, branch, from_class, to_state, loans, from_balance, to_balance)
SELECT (SELECT MAX(as_of) FROM agg_vintage), product, branch, class, class, COUNT(*), SUM(outstanding), SUM(outstanding)
FROM eod_loans
WHERE from_month < (SELECT MAX(from_month) FROM eod_loans) AND status = 'active' AND bucket BETWEEN 0 AND 7 AND class BETWEEN 1 AND 5
GROUP BY product, branch, class;
