-- The change feed of the data plane. `fabric.revision` grows by one in every transaction
-- that changes the inventory or a HaVip (the fabric's desired state); `acked` is the
-- highest revision a data-plane agent has enforced and acknowledged, with its report
-- (the fabric's view per port, JSON). A HaVip row remembers the revision of its last
-- change, and `fabric_wait` is that revision while a change on it waits for the fabric.

CREATE TABLE fabric (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL,
    acked BIGINT NOT NULL,
    acked_at BIGINT,
    agent TEXT,
    report TEXT
);
INSERT INTO fabric (id, revision, acked) VALUES (1, 0, 0);

ALTER TABLE havips ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE havips ADD COLUMN fabric_wait BIGINT;
CREATE INDEX havips_fabric_wait ON havips(fabric_wait) WHERE fabric_wait IS NOT NULL;
