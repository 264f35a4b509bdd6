DELETE FROM service_ip WHERE service_id = ?1;
DELETE FROM service_port WHERE service_id = ?1;
