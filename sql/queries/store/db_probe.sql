-- What store_open() reads before it writes anything: a database of a newer
-- schema, or one that is not podflow's, must be left untouched.
SELECT (SELECT application_id FROM pragma_application_id()),
       (SELECT user_version FROM pragma_user_version()),
       (SELECT count(*) FROM sqlite_schema);
