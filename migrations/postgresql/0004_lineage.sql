-- 0004 (PostgreSQL): where a stored superposition came from, as
-- migrations/0004. parent is not a foreign key: deleting an ancestor keeps
-- its descendants. operation is json (kept as written).

ALTER TABLE superpositions ADD COLUMN parent text COLLATE "C";
ALTER TABLE superpositions ADD COLUMN operation json;
