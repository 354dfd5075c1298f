-- SPDX-License-Identifier: BSD-2-Clause
-- contrib/postgresql.sql - synfin's JSON Lines in PostgreSQL (README.md, "At scale").
--
-- One row per connection: the whole line as JSONB in `doc`, the fields people filter and join on
-- as generated columns (typed, indexed), and `run` naming the load it came from.  The views at the
-- end answer the usual questions; tests/postgresql.sh checks each against the same answer computed
-- from the JSON.  Load a run (psql, client side; the CSV quote and delimiter are bytes synfin never
-- writes, so each line arrives as it is):
--
--   psql -v ON_ERROR_STOP=1 -f contrib/postgresql.sql
--   psql -c "SET synfin.run = 'monday'" \
--        -c "\copy synfin_conn (doc) FROM 'conns.jsonl' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')"
--
-- Works with PostgreSQL 12 and later (generated columns).  Times keep microseconds (PostgreSQL's
-- precision); the nanoseconds of a nanosecond capture stay in doc.

-- first_ts / last_ts are epoch seconds, or ISO 8601 UTC text with --time-format iso.  Declared
-- immutable for the generated columns: synfin's ISO text always ends in "Z", so neither TimeZone nor
-- DateStyle changes the result.
CREATE OR REPLACE FUNCTION synfin_ts(v jsonb) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT CASE jsonb_typeof(v) WHEN 'number' THEN to_timestamp((v #>> '{}')::double precision)
                                      WHEN 'string' THEN (v #>> '{}')::timestamptz END $$;

CREATE TABLE IF NOT EXISTS synfin_conn (
    run              text NOT NULL DEFAULT coalesce(current_setting('synfin.run', true), ''),
    doc              jsonb NOT NULL,
    id               bigint GENERATED ALWAYS AS ((doc ->> 'id')::bigint) STORED,
    community_id     text GENERATED ALWAYS AS (doc ->> 'community_id') STORED,
    client_ip        inet GENERATED ALWAYS AS ((doc ->> 'client_ip')::inet) STORED,
    client_port      integer GENERATED ALWAYS AS ((doc ->> 'client_port')::integer) STORED,
    server_ip        inet GENERATED ALWAYS AS ((doc ->> 'server_ip')::inet) STORED,
    server_port      integer GENERATED ALWAYS AS ((doc ->> 'server_port')::integer) STORED,
    first_ts         timestamptz GENERATED ALWAYS AS (synfin_ts(doc -> 'first_ts')) STORED,
    last_ts          timestamptz GENERATED ALWAYS AS (synfin_ts(doc -> 'last_ts')) STORED,
    duration         double precision GENERATED ALWAYS AS ((doc ->> 'duration')::double precision) STORED,
    packets          bigint GENERATED ALWAYS AS ((doc ->> 'packets')::bigint) STORED,
    bytes_c2s        bigint GENERATED ALWAYS AS ((doc ->> 'bytes_c2s')::bigint) STORED,
    bytes_s2c        bigint GENERATED ALWAYS AS ((doc ->> 'bytes_s2c')::bigint) STORED,
    handshake        text GENERATED ALWAYS AS (doc ->> 'handshake') STORED,
    handshake_rtt_ms double precision GENERATED ALWAYS AS ((doc ->> 'handshake_rtt_ms')::double precision) STORED,
    teardown         text GENERATED ALWAYS AS (doc ->> 'teardown') STORED,
    closed_by        text GENERATED ALWAYS AS (doc ->> 'closed_by') STORED,
    conn_state       text GENERATED ALWAYS AS (doc ->> 'conn_state') STORED,
    history          text GENERATED ALWAYS AS (doc ->> 'history') STORED,
    app              text GENERATED ALWAYS AS (doc ->> 'app') STORED,
    tls_version      text GENERATED ALWAYS AS (doc -> 'tls' ->> 'version') STORED,
    sni              text GENERATED ALWAYS AS (doc -> 'tls' ->> 'sni') STORED,
    cert_verify      text GENERATED ALWAYS AS (doc -> 'tls' ->> 'cert_verify') STORED
);

-- The run's last line, {"capture": ...} (when the capture counted its losses), is not a connection:
-- loading it is a no-op, so a whole output file can be loaded as it is.
CREATE OR REPLACE FUNCTION synfin_conn_only() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN IF NEW.doc ? 'id' THEN RETURN NEW; END IF; RETURN NULL; END $$;
DROP TRIGGER IF EXISTS synfin_conn_only ON synfin_conn;
CREATE TRIGGER synfin_conn_only BEFORE INSERT ON synfin_conn FOR EACH ROW EXECUTE FUNCTION synfin_conn_only();

-- (run, id) names a connection; load each shard of a --shard run under its own run name, since
-- ids count within a shard
CREATE INDEX IF NOT EXISTS synfin_conn_run_id ON synfin_conn (run, id);
CREATE INDEX IF NOT EXISTS synfin_conn_community_id ON synfin_conn (community_id);
CREATE INDEX IF NOT EXISTS synfin_conn_server ON synfin_conn (server_ip, server_port);
CREATE INDEX IF NOT EXISTS synfin_conn_client ON synfin_conn (client_ip);
CREATE INDEX IF NOT EXISTS synfin_conn_first_ts ON synfin_conn (first_ts);
CREATE INDEX IF NOT EXISTS synfin_conn_doc ON synfin_conn USING gin (doc jsonb_path_ops);

-- Connections the server reset (a refused attempt is one: handshake says "rejected").
CREATE OR REPLACE VIEW synfin_reset_by_server AS
    SELECT run, id, client_ip, client_port, server_ip, server_port, first_ts, handshake, app, sni
    FROM synfin_conn
    WHERE teardown = 'reset' AND closed_by = 'server';

-- Handshakes by round-trip time, slowest first (add LIMIT).
CREATE OR REPLACE VIEW synfin_slowest_handshakes AS
    SELECT run, id, client_ip, server_ip, server_port, handshake_rtt_ms, first_ts
    FROM synfin_conn
    WHERE handshake_rtt_ms IS NOT NULL
    ORDER BY handshake_rtt_ms DESC, run, id;

-- Server certificates that failed verification, by server and verdict.
CREATE OR REPLACE VIEW synfin_cert_failures AS
    SELECT server_ip, server_port, sni, cert_verify, doc -> 'tls' -> 'certificate' ->> 'subject' AS subject,
           count(*) AS connections, min(first_ts) AS first_seen, max(last_ts) AS last_seen
    FROM synfin_conn
    WHERE cert_verify IS NOT NULL AND cert_verify <> 'ok'
    GROUP BY 1, 2, 3, 4, 5;

-- TLS versions each server spoke (null: no ServerHello seen).
CREATE OR REPLACE VIEW synfin_tls_versions_by_server AS
    SELECT server_ip, server_port, coalesce(tls_version, '(none)') AS tls_version, count(*) AS connections
    FROM synfin_conn
    WHERE app = 'tls'
    GROUP BY 1, 2, 3;
