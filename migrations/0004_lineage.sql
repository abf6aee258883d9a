-- 0004: where a stored superposition came from.
--
-- parent is the id of the superposition it was made from (by a collapse or
-- a list of gates), NULL for one sent as it is; operation is the JSON
-- object (written by psinet) of what made it, NULL likewise. parent is
-- not a foreign key: deleting an ancestor keeps its descendants, and a
-- walk back says where the chain breaks.

ALTER TABLE superpositions ADD COLUMN parent TEXT;
ALTER TABLE superpositions ADD COLUMN operation TEXT;
