-- 0001: superpositions and networks.
--
-- seq is the order of creation (AUTOINCREMENT: never reused, so cursors stay
-- valid across deletes); id is the opaque public identifier. Numeric arrays
-- are BLOBs of little-endian IEEE-754 doubles.

CREATE TABLE superpositions (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT    NOT NULL UNIQUE,
    name       TEXT,
    dimension  INTEGER NOT NULL CHECK (dimension >= 1),
    amplitudes BLOB    NOT NULL, -- dimension pairs (re, im): 16 bytes each
    labels     BLOB    NOT NULL, -- dimension NUL-terminated UTF-8 strings
    norm       REAL    NOT NULL,
    created_at TEXT    NOT NULL  -- RFC 3339 UTC, 2026-11-24T23:40:00.123Z
);

CREATE TABLE networks (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT    NOT NULL UNIQUE,
    name       TEXT,
    created_at TEXT    NOT NULL
);

CREATE TABLE network_layers (
    network_seq INTEGER NOT NULL REFERENCES networks (seq) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    rows        INTEGER NOT NULL CHECK (rows >= 1),
    cols        INTEGER NOT NULL CHECK (cols >= 1),
    activation  TEXT    NOT NULL,
    alpha       REAL,            -- NULL for activations without a parameter
    weights     BLOB    NOT NULL, -- rows * cols doubles, row-major
    bias        BLOB,            -- rows doubles, NULL for zeros
    PRIMARY KEY (network_seq, position)
);
