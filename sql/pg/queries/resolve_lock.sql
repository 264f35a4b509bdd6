-- resolve_lock.sql in PostgreSQL: the node's mark, which a ship of the
-- node holds to its commit (ship_state, FOR UPDATE), so that no ship
-- commits while the node's rows are resolved.  Else a ship's trigger
-- could see the resolved hours end before the pass moved it, and a row
-- of an hour the pass then counts resolved would be in neither the days
-- nor the late changes; or late changes committed mid-pass would be
-- deleted unfolded.
SELECT 1 FROM ship_state WHERE node = podflow_node() FOR UPDATE;
