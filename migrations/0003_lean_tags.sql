-- 0003: experiment_tags without a rowid.
--
-- Every experiment write commits with synchronous=FULL, and its cost grows
-- with the pages it dirties. The tags table kept four B-trees (the rowid
-- table, its primary key, UNIQUE (experiment_seq, tag) and the tag index):
-- a WITHOUT ROWID table is its own primary key, which leaves two. Tags are
-- distinct within an experiment because psinet refuses repeated ones before
-- it writes (api/experiments.c), as it refuses any other invalid input.

CREATE TABLE experiment_tags_lean (
    experiment_seq INTEGER NOT NULL REFERENCES experiments (seq) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    tag            TEXT    NOT NULL,
    PRIMARY KEY (experiment_seq, position)
) WITHOUT ROWID;

INSERT INTO experiment_tags_lean (experiment_seq, position, tag)
    SELECT experiment_seq, position, tag FROM experiment_tags;

DROP TABLE experiment_tags;
ALTER TABLE experiment_tags_lean RENAME TO experiment_tags;
CREATE INDEX experiment_tags_tag ON experiment_tags (tag, experiment_seq);
