-- Events: every change of a HaVip's master (learned from the data plane's ARP, or made by a
-- change), written with it, in commit order. `body` is the event's JSON.
CREATE TABLE events (
    seq BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    havip_id TEXT,
    account_id TEXT,
    region TEXT,
    body TEXT NOT NULL
);
