-- 0002: analogy experiments and their tags.
--
-- params and result are JSON text written by psinet (numbers in their
-- shortest round-trip form), stored together so a result is always next to
-- the inputs that produced it.

CREATE TABLE experiments (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    params     TEXT    NOT NULL,
    result     TEXT    NOT NULL,
    notes      TEXT,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

CREATE INDEX experiments_kind ON experiments (kind, seq);
CREATE INDEX experiments_created_at ON experiments (created_at);

CREATE TABLE experiment_tags (
    experiment_seq INTEGER NOT NULL REFERENCES experiments (seq) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    tag            TEXT    NOT NULL,
    PRIMARY KEY (experiment_seq, position),
    UNIQUE (experiment_seq, tag)
);

CREATE INDEX experiment_tags_tag ON experiment_tags (tag, experiment_seq);
