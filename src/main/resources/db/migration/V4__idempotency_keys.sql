-- Idempotency keys of POST /api/v1/tasks/ (the IETF Idempotency-Key header): one row per key and
-- client, written by the same statement that inserts its task. The primary key arbitrates
-- between retries racing on different nodes: exactly one of them inserts the row.
CREATE TABLE idempotency_keys (
    -- SHA-256 of the client's bearer token (never the token), empty when tokens are off
    scope      BYTEA        NOT NULL,
    key        VARCHAR(255) NOT NULL,
    -- a key goes with its task, e.g. when retention deletes the task
    task_id    BIGINT       NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    -- a key is honoured for TASKS_IDEMPOTENCY_TTL after this, then pruned
    created_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

-- the cascade from a deleted task, and the pruning of expired keys, each by index
CREATE INDEX idempotency_keys_task_id_idx ON idempotency_keys (task_id);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
