-- The overview counts the open tasks due today and those late: without an
-- index on the due date of open tasks it read every task row (15 s on a
-- 10,000,000-loan book with 5.9 million open tasks); with it, the index
-- alone (1.2 s for the page). It costs close of business, whose task
-- updates keep it: on 300,000 loans a full close took 11.2–11.9 s against
-- 9.1–10.3 s without it. Counts kept by close of business would serve
-- the overview without either.
CREATE INDEX tasks_due_open ON tasks (due) WHERE state IN ('open', 'escalated');
