-- Server-side sessions (revocable; any app server serves any request) and staged
-- bulk uploads (in the database, so another app server can confirm them).

-- Sessions and login throttling of layers/users.py (same columns as its SQLite
-- tables: a hash of the session id, never the id; times as epoch seconds).
CREATE TABLE user_sessions (
    session_hash text PRIMARY KEY NOT NULL,
    username text NOT NULL,
    password_mark text NOT NULL,
    created_at double precision NOT NULL,
    expires_at double precision NOT NULL
);
CREATE INDEX user_sessions_username ON user_sessions (username);

CREATE TABLE login_throttle (
    key text PRIMARY KEY NOT NULL,
    failures integer NOT NULL,
    last_at double precision NOT NULL
);

CREATE TABLE register_uploads (
    token text PRIMARY KEY NOT NULL,
    suffix text NOT NULL,
    name text NOT NULL,
    created_at double precision NOT NULL,
    content bytea NOT NULL
);
