-- Ceiling of POST /api/v1/tasks/bulk/: PostgreSQL's own 1,000-row insert, one statement of
-- INSERT ... SELECT FROM unnest($1::text[]) into bare.tasks (lib.sh bare_table: the columns,
-- primary key and indexes of tasks, and no trigger, history, foreign key or CHECK), one
-- transaction each. With -M prepared the variable is sent as the statement's parameter $1.
-- Needs -D titles='{"a 1","a 2",…}' (the titles of one batch, as an array literal).
INSERT INTO bare.tasks (title) SELECT t FROM unnest(:titles::text[]) AS u(t);
