INSERT OR IGNORE INTO service_ip (service_id, ip) VALUES (?1, ?2);
