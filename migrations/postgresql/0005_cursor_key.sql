-- 0005 (PostgreSQL): the key that signs list cursors, as migrations/0005:
-- 32 bytes drawn once per database, shared by every replica. Drawn from
-- two gen_random_uuid() (PostgreSQL 13 and later, from the server's strong
-- random source): 244 random bits, the uuids' version and variant bits
-- aside.

CREATE TABLE settings (
    key   text COLLATE "C" PRIMARY KEY,
    value bytea NOT NULL
);

INSERT INTO settings (key, value) VALUES ('cursor_key',
    decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-',
                   ''), 'hex'));
