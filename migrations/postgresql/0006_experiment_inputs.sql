-- 0006 (PostgreSQL): what an experiment's stored inputs were when it ran,
-- as migrations/0006: a JSON array written by psinet (one object per
-- stored input its params name, with the SHA-256 of the input's canonical
-- byte form, store/digest.h), or NULL for an experiment that ran before
-- this column existed. json, kept as written.

ALTER TABLE experiments ADD COLUMN inputs json;
