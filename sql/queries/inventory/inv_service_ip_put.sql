INSERT INTO service_ip (service_id, ip) VALUES (?1, ?2)
ON CONFLICT DO NOTHING;
