-- changes_latest.sql in PostgreSQL: a cluster store has no flushes of its
-- own (-1: none); how far each node's rows reach is its ship_state.
SELECT -1;
