-- Attributes of Huawei-style ports that the inventory tables do not hold: a port's name
-- (NIC ports have none elsewhere) and its allowed_address_pairs. `port_id` is a HaVip id
-- (a VIP port) or an ENI id (a NIC port); `body` is the JSON of havip_store::PortAttrs.

CREATE TABLE port_attrs (
    port_id TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
