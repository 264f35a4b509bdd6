INSERT OR IGNORE INTO temp.snap_pod (uid) VALUES (?1);
