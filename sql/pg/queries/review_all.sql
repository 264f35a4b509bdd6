-- review_all.sql in PostgreSQL: id stands for SQLite's rowid.
SELECT namespace, kind, name, direction, peer, port, protocol, decision,
       reason, decided_by, decided_at, id
FROM review
ORDER BY namespace, kind, name, direction, peer, port, protocol;
