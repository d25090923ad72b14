-- The main system's schema for the mailed-application stations: the upgrade from version 2 to 3
-- (docs/sync.md, "Findings"). Apply once, as the database owner, after v2.sql.
-- Version 3 receives the findings a reviewer's decision was taken on: one row per finding of the
-- decision (accept, correction request, referral, rejection), keyed by the station's transition and
-- the finding's place in it, beside mailed.status_history. mailed.apply_changes learns the change
-- kind 'finding'; every other kind is applied, in the same order and transaction, by version 2's
-- function (kept as mailed.apply_changes_v2, no longer callable by the stations themselves).
BEGIN;
CREATE TABLE mailed.findings (
  station text NOT NULL,
  transition_id bigint NOT NULL,         -- mailed.status_history's transition the decision made
  seq integer NOT NULL,
  envelope_id bigint NOT NULL,
  code text NOT NULL,                    -- e.g. AMOUNT_MISMATCH, MISSING_FIELD:facility.capacity
  severity text NOT NULL,                -- block | warn
  field_key text NOT NULL DEFAULT '',
  message text NOT NULL DEFAULT '',      -- what the reviewer read (Japanese)
  related text NOT NULL DEFAULT '',      -- a duplicate's earlier application
  PRIMARY KEY (station, transition_id, seq)
);
CREATE INDEX findings_envelope ON mailed.findings (station, envelope_id);

ALTER FUNCTION mailed.apply_changes(jsonb) RENAME TO apply_changes_v2;
REVOKE ALL ON FUNCTION mailed.apply_changes_v2(jsonb) FROM PUBLIC, station_sync;

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
    IF c->>'kind' IS DISTINCT FROM 'finding' THEN
      n := n + apply_changes_v2(jsonb_build_array(c));
      IF c->>'kind' = 'envelope_removed' THEN
        DELETE FROM findings WHERE station = st AND envelope_id = (c->'payload'->>'id')::bigint;
      END IF;
      CONTINUE;
    END IF;
    INSERT INTO changes (station, change_key, seq, kind, entity, payload, created_at)
    VALUES (st, c->>'key', (c->>'seq')::bigint, c->>'kind', c->>'entity', c->'payload', coalesce(c->>'created_at', ''))
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    CONTINUE WHEN added = 0;
    n := n + 1;
    p := c->'payload';
    INSERT INTO findings (station, transition_id, seq, envelope_id, code, severity, field_key, message, related)
    VALUES (st, (p->>'transition_id')::bigint, (p->>'seq')::integer, (p->>'envelope_id')::bigint, p->>'code',
            p->>'severity', coalesce(p->>'field_key', ''), coalesce(p->>'message', ''), coalesce(p->>'related', ''))
    ON CONFLICT DO NOTHING;
  END LOOP;
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION mailed.apply_changes(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mailed.apply_changes(jsonb) TO station_sync;
INSERT INTO station_meta.schema_version (version) VALUES (3);
COMMIT;
