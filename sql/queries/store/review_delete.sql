-- Deletes one decision, by the rowid review_all.sql read it with.
-- ?1 rowid
DELETE FROM review WHERE rowid = ?1;
