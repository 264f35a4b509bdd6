-- A flush's number of the change sequence (012_change_seq.sql), taken in
-- its transaction.  ?1 the lowest bucket it writes, ?2 the latest time
-- its edges were seen (Unix seconds).
INSERT INTO change_log (min_bucket, at) VALUES (?1, ?2) RETURNING seq;
