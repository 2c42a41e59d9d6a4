-- Fewer index entries per run (issue 14). A register's claim and result, a transient's progress and
-- a history row are each an update or insert through every index of their table; these three
-- indexes served no statement of the runtime:
-- - task_status_by_status (task, status, transient_id): counts come from task_count (migration 005),
--   claims from task_status_ready, and the transient list's filters probe the primary key per transient.
-- - transient_processing_status (processing_status, id): the list walks transient_list_order and
--   filters. Without it a transient's progress update changes no indexed column and can be HOT.
-- - run_transient (transient, id): run_transient_task (transient, task, id) reads the same runs.
DROP INDEX {{schema}}.task_status_by_status;
DROP INDEX {{schema}}.transient_processing_status;
DROP INDEX {{schema}}.run_transient;

-- room on each page for the new version of a row updated in place (a HOT update needs its page to
-- hold it): progress changes with every run of a transient
ALTER TABLE {{schema}}.transient SET (fillfactor = 90);
