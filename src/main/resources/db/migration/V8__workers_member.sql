-- Failover by membership (docs/cluster.md): a worker's row names its cluster member, so that a
-- surviving worker that sees the member leave finds the node's claims (tasks.claimed_by is the
-- node id) and, once the node's heartbeat has stopped too, ends their leases at once. Null for a
-- node outside a cluster. Instant at any size: workers holds one row per node.
ALTER TABLE workers ADD COLUMN member_id TEXT NULL;
