-- Server-side sessions (revocable; any app server serves any request) and staged
-- bulk uploads (in the database, so another app server can confirm them).

CREATE TABLE sessions (
    token_hash text PRIMARY KEY NOT NULL,
    username text NOT NULL,
    created_at text NOT NULL,
    last_seen text NOT NULL,
    expires_at text NOT NULL,
    revoked_at text
);
CREATE INDEX sessions_username ON sessions (username);

CREATE TABLE register_uploads (
    token text PRIMARY KEY NOT NULL,
    suffix text NOT NULL,
    name text NOT NULL,
    created_at double precision NOT NULL,
    content bytea NOT NULL
);
