-- The havip schema (PostgreSQL). Times are milliseconds since the Unix epoch.
-- A HaVip row keeps its whole aggregate (members, tags, change in flight) as JSON in
-- `body`; havip_members and havip_tags are indexes over it for counting and filtering.

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE access_keys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    secret TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX access_keys_account ON access_keys(account_id);

CREATE TABLE regions (
    id TEXT PRIMARY KEY
);

CREATE TABLE huawei_projects (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    region TEXT NOT NULL
);
CREATE INDEX huawei_projects_account ON huawei_projects(account_id);

CREATE TABLE vpcs (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    region TEXT NOT NULL,
    cidr TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX vpcs_owner ON vpcs(account_id, region);

CREATE TABLE subnets (
    id TEXT PRIMARY KEY,
    vpc_id TEXT NOT NULL REFERENCES vpcs(id),
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    zone TEXT NOT NULL,
    cidr TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX subnets_owner ON subnets(account_id, region);

CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    subnet_id TEXT NOT NULL REFERENCES subnets(id),
    status TEXT NOT NULL,
    primary_eni_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX instances_owner ON instances(account_id, region);

CREATE TABLE enis (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    subnet_id TEXT NOT NULL REFERENCES subnets(id),
    ip TEXT NOT NULL,
    mac TEXT NOT NULL,
    instance_id TEXT,
    service_managed BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX enis_owner ON enis(account_id, region);
CREATE INDEX enis_instance ON enis(instance_id);
CREATE UNIQUE INDEX enis_address ON enis(subnet_id, ip);

-- Every address taken in a subnet, by an ENI or a HaVip: one owner per address.
CREATE TABLE subnet_ips (
    subnet_id TEXT NOT NULL,
    ip TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    PRIMARY KEY (subnet_id, ip)
);

CREATE TABLE havips (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    vpc_id TEXT NOT NULL,
    subnet_id TEXT NOT NULL,
    ip TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    due_at BIGINT,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX havips_owner ON havips(account_id, region, seq);
CREATE INDEX havips_due ON havips(due_at) WHERE due_at IS NOT NULL;
CREATE UNIQUE INDEX havips_address ON havips(subnet_id, ip);

CREATE TABLE havip_members (
    havip_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    PRIMARY KEY (havip_id, member_id)
);
CREATE INDEX havip_members_instance ON havip_members(instance_id);
CREATE INDEX havip_members_member ON havip_members(member_id);

CREATE TABLE havip_tags (
    havip_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (havip_id, key)
);
CREATE INDEX havip_tags_pair ON havip_tags(key, value);

CREATE TABLE idempotency (
    account_id TEXT NOT NULL,
    action TEXT NOT NULL,
    token TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    havip_id TEXT,
    change_id TEXT,
    result TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, action, token)
);
CREATE INDEX idempotency_expiry ON idempotency(expires_at);

CREATE TABLE signature_nonces (
    access_key_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (access_key_id, nonce)
);
CREATE INDEX signature_nonces_expiry ON signature_nonces(expires_at);
