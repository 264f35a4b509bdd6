-- The Services flows_window.sql's rows dialled, by service.id.
SELECT id, namespace, name FROM service ORDER BY id;
