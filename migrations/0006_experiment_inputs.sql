-- 0006: what an experiment's stored inputs were when it ran.
--
-- inputs is a JSON array (written by psinet) with one object per stored
-- input its params name: {"pointer": "/params/network_id", "type":
-- "network", "id": "net_...", "sha256": "<64 hex digits>"}, the hash
-- being of the input's canonical byte form (store/digest.h). A rerun
-- compares it with the input as it is now. NULL for an experiment that
-- ran before this column existed: its inputs' hashes are unknown. A
-- column of its own rather than a member of params: params are what the
-- client sent (and can send again), the hashes are what psinet saw.

ALTER TABLE experiments ADD COLUMN inputs TEXT;
