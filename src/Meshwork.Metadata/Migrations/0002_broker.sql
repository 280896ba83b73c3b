-- State of the embedded Kafka broker that must outlive restarts and is not log data.

-- Committed consumer-group offsets (what Kafka keeps in __consumer_offsets).
CREATE TABLE broker_group_offsets (
    group_id         TEXT    NOT NULL,
    topic            TEXT    NOT NULL,
    partition_index  INTEGER NOT NULL,
    committed_offset BIGINT  NOT NULL,
    leader_epoch     INTEGER NOT NULL,
    metadata         TEXT,
    commit_time_ms   BIGINT  NOT NULL,
    PRIMARY KEY (group_id, topic, partition_index)
);

-- Idempotent producer ids are handed out from one counter so they never repeat across restarts.
CREATE TABLE broker_producer_ids (
    singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
    next_producer_id BIGINT  NOT NULL
);
INSERT INTO broker_producer_ids (singleton, next_producer_id) VALUES (1, 1000);

-- SASL/SCRAM credentials (RFC 5802): never the password, only salt, iterations and derived keys.
CREATE TABLE broker_scram_credentials (
    principal   TEXT    NOT NULL,
    mechanism   TEXT    NOT NULL,
    salt        {{binary}} NOT NULL,
    iterations  INTEGER NOT NULL,
    stored_key  {{binary}} NOT NULL,
    server_key  {{binary}} NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (principal, mechanism)
);
