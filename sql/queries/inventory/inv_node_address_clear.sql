-- A Node object lists all its addresses: forget the ones it listed before.
DELETE FROM node_address WHERE node = ?1 AND type != 'hostIP';
