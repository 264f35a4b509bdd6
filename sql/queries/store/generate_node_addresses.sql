-- Every node address of the inventory: an address SNAT gave a client is
-- usually one, and a review decision on "node" covers it.
SELECT address FROM node_addresses;
