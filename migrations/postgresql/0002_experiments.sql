-- 0002 (PostgreSQL): analogy experiments and their tags, as
-- migrations/0002.
--
-- params and result are json, not jsonb: json keeps the text psinet wrote
-- (numbers in their shortest round-trip form, keys in their order), which
-- jsonb would rewrite.

CREATE TABLE experiments (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text COLLATE "C" NOT NULL UNIQUE,
    name       text NOT NULL,
    kind       text COLLATE "C" NOT NULL,
    params     json NOT NULL,
    result     json NOT NULL,
    notes      text,
    created_at text COLLATE "C" NOT NULL,
    updated_at text COLLATE "C" NOT NULL
);

CREATE INDEX experiments_kind ON experiments (kind, seq);
CREATE INDEX experiments_created_at ON experiments (created_at);

CREATE TABLE experiment_tags (
    experiment_seq bigint NOT NULL REFERENCES experiments (seq) ON DELETE CASCADE,
    position       bigint NOT NULL,
    tag            text COLLATE "C" NOT NULL,
    PRIMARY KEY (experiment_seq, position),
    CONSTRAINT experiment_tags_unique UNIQUE (experiment_seq, tag)
);

CREATE INDEX experiment_tags_tag ON experiment_tags (tag, experiment_seq);
