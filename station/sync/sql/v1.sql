-- The main system's schema for the mailed-application stations, version 1 (docs/sync.md).
-- Apply once, as the database owner, with: station sync schema | psql -v ON_ERROR_STOP=1 "<url>"
-- Mailed applications live in schema `mailed`, electronic receipts in schema `electronic`: they
-- never share a table. Stations log in as their own roles, members of `station_sync`, which may
-- only call mailed.apply_changes and read the electronic receipts and the first-application view.
BEGIN;

CREATE SCHEMA station_meta;
CREATE TABLE station_meta.schema_version (
  version integer PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE SCHEMA mailed;
-- Every change a station delivered, once: (station, key) is the idempotency key, so a replayed
-- change is ignored (INSERT ... ON CONFLICT DO NOTHING) and applies nothing twice.
CREATE TABLE mailed.changes (
  station text NOT NULL,                 -- the station's database role (session_user)
  change_key text NOT NULL,              -- "<store id>:<outbox seq>"
  seq bigint NOT NULL,
  kind text NOT NULL,
  entity text NOT NULL,
  payload jsonb NOT NULL,
  created_at text NOT NULL,              -- when the station made the change (JST, ISO 8601)
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (station, change_key)
);
CREATE TABLE mailed.applications (
  station text NOT NULL,
  envelope_id bigint NOT NULL,           -- the station's own id
  receipt_no text NOT NULL,
  received_date date NOT NULL,
  registered_at text NOT NULL,           -- when the station registered it (JST, ISO 8601)
  status text NOT NULL,
  source text NOT NULL,
  enclosures integer NOT NULL,
  PRIMARY KEY (station, envelope_id)
);
CREATE TABLE mailed.field_values (
  station text NOT NULL,
  envelope_id bigint NOT NULL,
  key text NOT NULL,
  value text,
  read_value text,
  confirmed_by bigint,
  confirmed_at text,
  PRIMARY KEY (station, envelope_id, key)
);
CREATE INDEX field_values_jigyosho ON mailed.field_values (value) WHERE key = 'facility.jigyosho_no';
CREATE TABLE mailed.status_history (
  station text NOT NULL,
  transition_id bigint NOT NULL,
  envelope_id bigint NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  at text NOT NULL,
  user_id bigint,
  reason text NOT NULL DEFAULT '',
  override_reason text NOT NULL DEFAULT '',
  PRIMARY KEY (station, transition_id)
);
CREATE TABLE mailed.correction_rounds (
  station text NOT NULL,
  round_id bigint NOT NULL,
  envelope_id bigint NOT NULL,
  round integer NOT NULL,
  request_date text NOT NULL,
  deadline text NOT NULL,
  requested_by bigint,
  requested_at text,
  note text NOT NULL DEFAULT '',
  reply_envelope_id bigint,
  received_date text,
  received_by bigint,
  PRIMARY KEY (station, round_id)
);
CREATE TABLE mailed.correction_defects (
  station text NOT NULL,
  round_id bigint NOT NULL,
  seq integer NOT NULL,
  code text NOT NULL DEFAULT '',
  field_key text NOT NULL DEFAULT '',
  text text NOT NULL,
  PRIMARY KEY (station, round_id, seq)
);
CREATE TABLE mailed.agreed_changes (
  station text NOT NULL,
  change_id bigint NOT NULL,
  envelope_id bigint NOT NULL,
  round integer NOT NULL,
  field_key text NOT NULL,
  old_value text NOT NULL,
  new_value text NOT NULL,
  agreed_on text NOT NULL,
  how text NOT NULL DEFAULT '',
  recorded_by bigint,
  recorded_at text,
  PRIMARY KEY (station, change_id)
);
CREATE TABLE mailed.exports (
  station text NOT NULL,
  export_id bigint NOT NULL,
  file_no text NOT NULL,
  created_by bigint,
  created_at text NOT NULL,
  applications integer NOT NULL,
  PRIMARY KEY (station, export_id)
);
CREATE TABLE mailed.export_items (
  station text NOT NULL,
  export_id bigint NOT NULL,
  envelope_id bigint NOT NULL,
  PRIMARY KEY (station, export_id, envelope_id)
);

-- Applies a station's batch of changes, in seq order, in the caller's one transaction. Returns
-- how many were new (a replay returns 0 and changes nothing). The station is the login role.
CREATE FUNCTION mailed.apply_changes(p_changes jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = mailed, pg_temp AS $$
DECLARE
  st text := session_user;
  c jsonb;
  p jsonb;
  added integer;
  n integer := 0;
BEGIN
  IF jsonb_typeof(p_changes) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'apply_changes expects a JSON array' USING ERRCODE = '22023';
  END IF;
  FOR c IN SELECT value FROM jsonb_array_elements(p_changes) ORDER BY (value->>'seq')::bigint LOOP
    INSERT INTO changes (station, change_key, seq, kind, entity, payload, created_at)
    VALUES (st, c->>'key', (c->>'seq')::bigint, c->>'kind', c->>'entity', c->'payload', coalesce(c->>'created_at', ''))
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    CONTINUE WHEN added = 0;
    n := n + 1;
    p := c->'payload';
    CASE c->>'kind'
    WHEN 'envelope' THEN
      INSERT INTO applications AS a (station, envelope_id, receipt_no, received_date, registered_at, status, source, enclosures)
      VALUES (st, (p->>'id')::bigint, p->>'receipt_no', (p->>'received_date')::date, p->>'registered_at',
              p->>'status', coalesce(p->>'source', ''), coalesce((p->>'enclosures')::integer, 0))
      ON CONFLICT (station, envelope_id) DO UPDATE SET receipt_no = excluded.receipt_no,
        received_date = excluded.received_date, status = excluded.status, enclosures = excluded.enclosures;
    WHEN 'envelope_removed' THEN
      DELETE FROM field_values WHERE station = st AND envelope_id = (p->>'id')::bigint;
      DELETE FROM status_history WHERE station = st AND envelope_id = (p->>'id')::bigint;
      DELETE FROM applications WHERE station = st AND envelope_id = (p->>'id')::bigint;
    WHEN 'transition' THEN
      INSERT INTO status_history (station, transition_id, envelope_id, from_state, to_state, at, user_id, reason, override_reason)
      VALUES (st, (p->>'id')::bigint, (p->>'envelope_id')::bigint, p->>'from', p->>'to', p->>'at',
              (p->>'user_id')::bigint, coalesce(p->>'reason', ''), coalesce(p->>'override_reason', ''))
      ON CONFLICT (station, transition_id) DO UPDATE SET at = excluded.at, user_id = excluded.user_id,
        reason = excluded.reason, override_reason = excluded.override_reason;
    WHEN 'field' THEN
      INSERT INTO field_values (station, envelope_id, key, value, read_value, confirmed_by, confirmed_at)
      VALUES (st, (p->>'envelope_id')::bigint, p->>'key', p->>'value', p->>'read', (p->>'confirmed_by')::bigint, p->>'confirmed_at')
      ON CONFLICT (station, envelope_id, key) DO UPDATE SET value = excluded.value, read_value = excluded.read_value,
        confirmed_by = excluded.confirmed_by, confirmed_at = excluded.confirmed_at;
    WHEN 'correction_round' THEN
      INSERT INTO correction_rounds (station, round_id, envelope_id, round, request_date, deadline, requested_by,
                                     requested_at, note, reply_envelope_id, received_date, received_by)
      VALUES (st, (p->>'id')::bigint, (p->>'envelope_id')::bigint, (p->>'round')::integer, p->>'request_date',
              p->>'deadline', (p->>'requested_by')::bigint, p->>'requested_at', coalesce(p->>'note', ''),
              (p->>'reply_envelope_id')::bigint, p->>'received_date', (p->>'received_by')::bigint)
      ON CONFLICT (station, round_id) DO UPDATE SET deadline = excluded.deadline, note = excluded.note,
        reply_envelope_id = excluded.reply_envelope_id, received_date = excluded.received_date,
        received_by = excluded.received_by;
    WHEN 'correction_defect' THEN
      INSERT INTO correction_defects (station, round_id, seq, code, field_key, text)
      VALUES (st, (p->>'round_id')::bigint, (p->>'seq')::integer, coalesce(p->>'code', ''),
              coalesce(p->>'field_key', ''), p->>'text')
      ON CONFLICT DO NOTHING;
    WHEN 'agreed_change' THEN
      INSERT INTO agreed_changes (station, change_id, envelope_id, round, field_key, old_value, new_value, agreed_on,
                                  how, recorded_by, recorded_at)
      VALUES (st, (p->>'id')::bigint, (p->>'envelope_id')::bigint, (p->>'round')::integer, p->>'field_key',
              p->>'old_value', p->>'new_value', p->>'agreed_on', coalesce(p->>'how', ''),
              (p->>'recorded_by')::bigint, p->>'recorded_at')
      ON CONFLICT DO NOTHING;
    WHEN 'export' THEN
      INSERT INTO exports (station, export_id, file_no, created_by, created_at, applications)
      VALUES (st, (p->>'id')::bigint, p->>'file_no', (p->>'created_by')::bigint, p->>'created_at',
              (p->>'applications')::integer)
      ON CONFLICT DO NOTHING;
    WHEN 'export_item' THEN
      INSERT INTO export_items (station, export_id, envelope_id)
      VALUES (st, (p->>'export_id')::bigint, (p->>'envelope_id')::bigint)
      ON CONFLICT DO NOTHING;
    ELSE
      RAISE EXCEPTION 'unknown change kind %', c->>'kind' USING ERRCODE = '22023';
    END CASE;
  END LOOP;
  RETURN n;
END $$;

CREATE SCHEMA electronic;
-- Receipts of the electronic channel, in the order they were committed (feed_seq: the stations'
-- cursor). Add them only through electronic.add_receipt, which serialises the inserts so that a
-- feed_seq is never committed after a larger one (a reader's cursor never skips a row).
CREATE TABLE electronic.receipts (
  feed_seq bigint PRIMARY KEY,
  application_no text NOT NULL UNIQUE,
  facility_id text NOT NULL,
  jigyosho_no text NOT NULL DEFAULT '',
  facility_name text NOT NULL DEFAULT '',
  received_at timestamptz NOT NULL
);
CREATE SEQUENCE electronic.receipts_feed_seq OWNED BY electronic.receipts.feed_seq;
CREATE FUNCTION electronic.add_receipt(p_application_no text, p_facility_id text, p_jigyosho_no text,
                                       p_facility_name text, p_received_at timestamptz) RETURNS bigint
LANGUAGE plpgsql SET search_path = electronic, pg_temp AS $$
DECLARE s bigint;
BEGIN
  LOCK TABLE receipts IN SHARE ROW EXCLUSIVE MODE;
  INSERT INTO receipts (feed_seq, application_no, facility_id, jigyosho_no, facility_name, received_at)
  VALUES (nextval('receipts_feed_seq'), p_application_no, p_facility_id, coalesce(p_jigyosho_no, ''),
          coalesce(p_facility_name, ''), p_received_at)
  ON CONFLICT (application_no) DO NOTHING
  RETURNING feed_seq INTO s;
  RETURN s;
END $$;

-- The first application per facility (介護保険事業所番号), whichever channel and station: the
-- earliest received moment wins, by the station's own rule (review::received_moment: a mailed
-- envelope's received date, with its registration time when registered that same day, else the
-- start of that day; an electronic one's received_at in JST); ties: mailed before electronic, then
-- station and receipt number.
CREATE VIEW mailed.first_applications AS
WITH candidates AS (
  SELECT f.value AS jigyosho_no, 'mailed' AS channel, a.station, a.receipt_no AS application,
         CASE WHEN left(a.registered_at, 10) = a.received_date::text THEN a.registered_at
              ELSE a.received_date::text || 'T00:00:00+09:00' END AS received_moment
  FROM mailed.applications a
  JOIN mailed.field_values f ON f.station = a.station AND f.envelope_id = a.envelope_id AND f.key = 'facility.jigyosho_no'
  WHERE coalesce(f.value, '') <> ''
  UNION ALL
  SELECT r.jigyosho_no, 'electronic', '', r.application_no,
         to_char(r.received_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD"T"HH24:MI:SS"+09:00"')
  FROM electronic.receipts r WHERE r.jigyosho_no <> ''
)
SELECT DISTINCT ON (jigyosho_no) jigyosho_no, channel, station, application, received_moment
FROM candidates
ORDER BY jigyosho_no, received_moment, channel DESC, station, application;

CREATE ROLE station_sync NOLOGIN;
GRANT USAGE ON SCHEMA station_meta, mailed, electronic TO station_sync;
GRANT SELECT ON station_meta.schema_version TO station_sync;
GRANT SELECT ON electronic.receipts TO station_sync;
GRANT SELECT ON mailed.first_applications TO station_sync;
REVOKE ALL ON FUNCTION mailed.apply_changes(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mailed.apply_changes(jsonb) TO station_sync;
REVOKE ALL ON FUNCTION electronic.add_receipt(text, text, text, text, timestamptz) FROM PUBLIC;

INSERT INTO station_meta.schema_version (version) VALUES (1);
COMMIT;
