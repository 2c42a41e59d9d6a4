-- Room on each page of the transient table for every row's next version (issue 14). A transient's
-- progress changes with each run of its tasks, and a batch of results rewrites the progress of up to
-- a hundred transients in one statement. Their old versions are not dead until that statement
-- commits, so only free space can take the new ones: at fillfactor 90 (migration 007) a page of about
-- sixty transients held six, and the other updates moved their rows to other pages, each move adding
-- an entry to all three of the table's indexes. At 50 a page holds every new version of its rows in
-- place (a HOT update: no index entry), and pruning frees the old ones at the page's next visit.
-- Pages filled from now on: existing rows keep their pages until they move.
ALTER TABLE {{schema}}.transient SET (fillfactor = 50);
