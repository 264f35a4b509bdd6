-- ?1 namespace, ?2 1 if listed as a Namespace object.
INSERT INTO snap_namespace (name, explicit) VALUES (?1, ?2)
ON CONFLICT (name) DO UPDATE SET explicit = max(snap_namespace.explicit, excluded.explicit);
