-- Every review decision, in a stable order; its rowid last, for
-- store_replace_reviews() to delete it by.
SELECT namespace, kind, name, direction, peer, port, protocol, decision,
       reason, decided_by, decided_at, rowid
FROM review
ORDER BY namespace, kind, name, direction, peer, port, protocol;
