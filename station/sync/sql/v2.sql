-- The main system's schema for the mailed-application stations: the upgrade from version 1 to 2
-- (docs/sync.md, "Several stations"). Apply once, as the database owner, after v1.sql.
-- Version 2 gives each station the other stations' mailed applications as a feed, so that its own
-- duplicate check decides as mailed.first_applications does. mailed.application_feed holds, per
-- application, what the duplicate rule needs (receipt number, received date, registration time,
-- 介護保険事業所番号) with its place in the feed (feed_seq); a removed application stays as a
-- tombstone (removed = true) so that the stations drop it too. Triggers on mailed.applications and
-- mailed.field_values keep it, inside the transaction of mailed.apply_changes.
BEGIN;
CREATE TABLE mailed.application_feed (
  station text NOT NULL,
  envelope_id bigint NOT NULL,
  feed_seq bigint NOT NULL UNIQUE,
  receipt_no text NOT NULL DEFAULT '',
  received_date text NOT NULL DEFAULT '',
  registered_at text NOT NULL DEFAULT '',
  jigyosho_no text NOT NULL DEFAULT '',
  removed boolean NOT NULL DEFAULT false,
  PRIMARY KEY (station, envelope_id)
);
CREATE SEQUENCE mailed.application_feed_seq;
-- Only locked: a writer takes it (EXCLUSIVE) before giving a feed_seq and keeps it until its
-- commit, so no feed_seq commits below one a station has already read (as electronic.add_receipt).
CREATE TABLE mailed.application_feed_order ();
-- Writes the application's current row (or its tombstone) into the feed with a new feed_seq.
CREATE FUNCTION mailed.feed_touch(p_station text, p_envelope_id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = mailed, pg_temp AS $$
DECLARE a record;
BEGIN
  LOCK TABLE application_feed_order IN EXCLUSIVE MODE;
  SELECT ap.receipt_no, to_char(ap.received_date, 'YYYY-MM-DD') AS received_date, ap.registered_at,
         coalesce((SELECT f.value FROM field_values f WHERE f.station = ap.station AND f.envelope_id = ap.envelope_id
                   AND f.key = 'facility.jigyosho_no'), '') AS jigyosho_no
  INTO a FROM applications ap WHERE ap.station = p_station AND ap.envelope_id = p_envelope_id;
  IF NOT FOUND THEN
    UPDATE application_feed SET removed = true, feed_seq = nextval('application_feed_seq')
    WHERE station = p_station AND envelope_id = p_envelope_id AND NOT removed;
    RETURN;
  END IF;
  INSERT INTO application_feed AS q (station, envelope_id, feed_seq, receipt_no, received_date, registered_at, jigyosho_no)
  VALUES (p_station, p_envelope_id, nextval('application_feed_seq'), a.receipt_no, a.received_date, a.registered_at,
          coalesce(a.jigyosho_no, ''))
  ON CONFLICT (station, envelope_id) DO UPDATE SET feed_seq = excluded.feed_seq, receipt_no = excluded.receipt_no,
    received_date = excluded.received_date, registered_at = excluded.registered_at, jigyosho_no = excluded.jigyosho_no,
    removed = false
  WHERE (q.receipt_no, q.received_date, q.registered_at, q.jigyosho_no, q.removed)
        IS DISTINCT FROM (excluded.receipt_no, excluded.received_date, excluded.registered_at, excluded.jigyosho_no, false);
END $$;
CREATE FUNCTION mailed.feed_applications_trigger() RETURNS trigger
LANGUAGE plpgsql SET search_path = mailed, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM feed_touch(OLD.station, OLD.envelope_id);
  ELSIF TG_OP = 'INSERT' OR (NEW.receipt_no, NEW.received_date, NEW.registered_at)
                            IS DISTINCT FROM (OLD.receipt_no, OLD.received_date, OLD.registered_at) THEN
    PERFORM feed_touch(NEW.station, NEW.envelope_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER applications_feed AFTER INSERT OR UPDATE OR DELETE ON mailed.applications
FOR EACH ROW EXECUTE FUNCTION mailed.feed_applications_trigger();
CREATE FUNCTION mailed.feed_field_values_trigger() RETURNS trigger
LANGUAGE plpgsql SET search_path = mailed, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.key = 'facility.jigyosho_no' THEN PERFORM feed_touch(OLD.station, OLD.envelope_id); END IF;
  ELSIF NEW.key = 'facility.jigyosho_no' AND (TG_OP = 'INSERT' OR NEW.value IS DISTINCT FROM OLD.value) THEN
    PERFORM feed_touch(NEW.station, NEW.envelope_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER field_values_feed AFTER INSERT OR UPDATE OR DELETE ON mailed.field_values
FOR EACH ROW EXECUTE FUNCTION mailed.feed_field_values_trigger();
-- What the server already holds goes into the feed, in the order it was registered.
DO $$ BEGIN
  PERFORM mailed.feed_touch(station, envelope_id) FROM (
    SELECT station, envelope_id FROM mailed.applications ORDER BY registered_at, station, envelope_id) s;
END $$;
-- The other stations' applications after `p_after`, in feed order (the caller's own are skipped;
-- the cursor moves past them all the same).
CREATE FUNCTION mailed.other_applications(p_after bigint, p_limit integer)
RETURNS TABLE (feed_seq bigint, station text, envelope_id bigint, receipt_no text, received_date text,
               registered_at text, jigyosho_no text, removed boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = mailed, pg_temp AS $$
  SELECT f.feed_seq, f.station, f.envelope_id, f.receipt_no, f.received_date, f.registered_at, f.jigyosho_no, f.removed
  FROM application_feed f WHERE f.feed_seq > p_after AND f.station <> session_user
  ORDER BY f.feed_seq LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION mailed.feed_touch(text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION mailed.other_applications(bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mailed.other_applications(bigint, integer) TO station_sync;
INSERT INTO station_meta.schema_version (version) VALUES (2);
COMMIT;
