-- The register's bulk import (PostGIS backend): unplaced listings and import jobs.
-- Same columns and meaning as the GeoPackage side tables
-- (layers/register/tables.py, layers/register/jobs.py).

-- A listing imported from a broker's list whose address is not in the address
-- register has no point yet ("ikke plassert") until an editor places it.
ALTER TABLE register_premises ALTER COLUMN lat DROP NOT NULL;
ALTER TABLE register_premises ALTER COLUMN lon DROP NOT NULL;

-- A bulk import running outside the request: any app server reads its progress
-- and result (times as epoch seconds; result is JSON text).
CREATE TABLE IF NOT EXISTS register_jobs (
    token text PRIMARY KEY NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    username text NOT NULL,
    state text NOT NULL,
    phase text NOT NULL,
    done bigint NOT NULL DEFAULT 0,
    total bigint NOT NULL DEFAULT 0,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL,
    result text NOT NULL DEFAULT ''
);
