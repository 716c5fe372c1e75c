-- Events: what happened to a HaVip that no request asked for (its master, learned from
-- the data plane's ARP), in the order it happened. `body` is the event's JSON.
CREATE TABLE events (
    seq BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    havip_id TEXT,
    account_id TEXT,
    region TEXT,
    body TEXT NOT NULL
);
