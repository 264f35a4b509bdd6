INSERT OR IGNORE INTO temp.snap_service (namespace, name) VALUES (?1, ?2);
