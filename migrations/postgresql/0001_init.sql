-- 0001 (PostgreSQL): superpositions and networks, as migrations/0001.
--
-- seq is the order of creation (an identity: never reused, so cursors stay
-- valid across deletes); id is the opaque public identifier. Numeric arrays
-- are bytea of little-endian IEEE-754 doubles. Time stamps are text in
-- psinet's one RFC 3339 form, compared byte by byte (COLLATE "C"), as
-- SQLite compares them.

CREATE TABLE superpositions (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text COLLATE "C" NOT NULL UNIQUE,
    name       text,
    dimension  bigint NOT NULL CHECK (dimension >= 1),
    amplitudes bytea  NOT NULL, -- dimension pairs (re, im): 16 bytes each
    labels     bytea  NOT NULL, -- dimension NUL-terminated UTF-8 strings
    norm       double precision NOT NULL,
    created_at text COLLATE "C" NOT NULL -- 2026-11-24T23:40:00.123Z
);

CREATE TABLE networks (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text COLLATE "C" NOT NULL UNIQUE,
    name       text,
    created_at text COLLATE "C" NOT NULL
);

CREATE TABLE network_layers (
    network_seq bigint NOT NULL REFERENCES networks (seq) ON DELETE CASCADE,
    position    bigint NOT NULL,
    rows        bigint NOT NULL CHECK (rows >= 1),
    cols        bigint NOT NULL CHECK (cols >= 1),
    activation  text   NOT NULL,
    alpha       double precision, -- NULL for activations without a parameter
    weights     bytea  NOT NULL,  -- rows * cols doubles, row-major
    bias        bytea,            -- rows doubles, NULL for zeros
    PRIMARY KEY (network_seq, position)
);
