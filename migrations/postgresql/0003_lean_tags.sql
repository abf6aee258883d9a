-- 0003 (PostgreSQL): experiment_tags without its UNIQUE (experiment_seq,
-- tag), as migrations/0003: an index fewer to write per tag. Tags are
-- distinct within an experiment because psinet refuses repeated ones
-- before it writes (api/experiments.c).

ALTER TABLE experiment_tags DROP CONSTRAINT experiment_tags_unique;
