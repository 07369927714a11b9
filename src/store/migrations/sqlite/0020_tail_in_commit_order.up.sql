-- Nothing to change on SQLite: it has one writer at a time, so raw rows become
-- visible in the order of their row numbers and the live feed's cursor is the
-- row number alone. PostgreSQL's 0020 records each row's transaction id so its
-- feed can follow rows in commit order; the version numbers stay the same on
-- both back-ends.
SELECT 1;
