-- 0005: the key that signs list cursors.
--
-- A page's next_cursor carries an HMAC-SHA-256 of its position, its list
-- and its filter under this key, drawn once per database: a cursor edited
-- by hand, or made for another filter, is refused, and cursors stay valid
-- across restarts and between processes sharing the database.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

INSERT INTO settings (key, value) VALUES ('cursor_key', randomblob(32));
