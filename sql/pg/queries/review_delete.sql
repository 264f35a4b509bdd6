-- review_delete.sql in PostgreSQL: id stands for SQLite's rowid.
DELETE FROM review WHERE id = ?1;
