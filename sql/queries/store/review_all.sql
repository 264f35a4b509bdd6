-- Every review decision, in a stable order.
SELECT namespace, kind, name, direction, peer, port, protocol, decision,
       reason, decided_by, decided_at
FROM review
ORDER BY namespace, kind, name, direction, peer, port, protocol;
