-- The open tasks (open or escalated) counted by the product and branch of
-- their loan and by their due date: the overview's tasks due today and
-- late, read as a sum over these cells instead of a count over the open
-- tasks (5.9 million on a 10,000,000-loan book: 1.2 s through the index of
-- migration 0014, which close of business paid for on every task it
-- wrote). Every write that opens or ends a task adds its difference here
-- in the same transaction; a task's due date never changes.
CREATE TABLE task_due_counts (
    product TEXT NOT NULL,
    branch  TEXT NOT NULL,
    due     INTEGER NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (product, branch, due)
);
INSERT INTO task_due_counts (product, branch, due, n)
SELECT l.product, l.branch, t.due, COUNT(*) FROM tasks t JOIN loans l ON l.id = t.loan_id
WHERE t.state IN ('open', 'escalated') GROUP BY l.product, l.branch, t.due;
DROP INDEX tasks_due_open;
