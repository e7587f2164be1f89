"""The PostgreSQL inbox schema, versioned: tables, indexes and the functions the listener calls.

Each group commit is one round trip: the listener calls one PL/pgSQL function per batch
(``twilio_inbox_append``, ``twilio_inbox_settle``, ``twilio_inbox_claim``), in autocommit,
so the function runs as one transaction. Migrations run under an advisory lock, so
replicas starting together migrate once; ``twilio_inbox_meta.schema_version`` records the
version applied.

Tables
    ``twilio_inbox_events``: one row per stored callback. ``status`` is ``pending``,
    ``done``, ``unhandled`` or ``dead``. A pending row is *leased* by the replica running
    it (``lease_owner``, ``lease_until`` on the database clock); a lease that is not renewed
    (the replica died or stalled) expires and any replica may claim the row again.
    Its ``dedup_key`` (``token:<I-Twilio-Idempotency-Token>``, or event name + resource
    SID) is unique: the database refuses a second copy, whichever replica received it.
    Purging clears the keys of rows older than the dedup window (``keys_cleared_below`` in
    ``twilio_inbox_meta`` remembers how far), so a key can be stored again after it.
    ``received_at`` is the database clock, as are leases, so replicas on different
    machines agree.

The functions run with ``enable_seqscan = off``: every statement in them is meant to use an
index, and their plans are cached per connection from the moment the tables were tiny (a
sequential scan then looks cheaper and stays in the plan as the table grows).

Per-SID order: a row is claimable only if no other pending row of its resource SID comes
before it (lower ``rank, id``) or is leased now. Claims of one SID are serialized by a
transaction-scoped advisory lock on a hash of the SID, taken in sorted order (no
deadlocks between claimers); a batch's keys are inserted in sorted order for the same
reason.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]

# Eligibility of row ``e`` for a claim at time ``now_`` (inside the functions below).
_NOT_BLOCKED = """
    (e.resource_sid IS NULL OR NOT EXISTS (
        SELECT 1 FROM twilio_inbox_events o
        WHERE o.resource_sid = e.resource_sid AND o.status = 'pending' AND o.id <> e.id
          AND ((o.rank, o.id) < (e.rank, e.id) OR o.lease_until > now_)))
"""

_LOCK_SIDS = """
    PERFORM pg_advisory_xact_lock(h) FROM (
        SELECT DISTINCT hashtextextended(s, 7411) AS h FROM unnest({sids}) AS s
        WHERE s IS NOT NULL ORDER BY 1) AS locks;
"""

_RECORD_COLUMNS = (
    "e.id, e.received_at, e.name, e.resource_sid, e.rank, e.token, e.dedup_key, e.inline, "
    "e.content_type, e.payload, e.status, e.attempts, e.next_attempt_at, e.last_error, "
    "e.reply, e.updated_at"
)

_RECORD_TYPE = """
    id bigint, received_at double precision, name text, resource_sid text, rank integer,
    token text, dedup_key text, inline boolean, content_type text, payload bytea,
    status text, attempts integer, next_attempt_at double precision, last_error text,
    reply bytea, updated_at double precision
"""

_V1 = f"""
CREATE SEQUENCE IF NOT EXISTS twilio_inbox_events_id_seq;
CREATE TABLE IF NOT EXISTS twilio_inbox_events (
    id bigint PRIMARY KEY DEFAULT nextval('twilio_inbox_events_id_seq'),
    received_at double precision NOT NULL,
    name text NOT NULL,
    resource_sid text,
    rank integer NOT NULL DEFAULT 0,
    token text,
    dedup_key text,
    inline boolean NOT NULL DEFAULT false,
    content_type text NOT NULL,
    payload bytea NOT NULL,
    status text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at double precision NOT NULL DEFAULT 0,
    lease_owner text,
    lease_until double precision NOT NULL DEFAULT 0,
    last_error text,
    reply bytea,
    updated_at double precision NOT NULL
);
ALTER SEQUENCE twilio_inbox_events_id_seq OWNED BY twilio_inbox_events.id;
CREATE INDEX IF NOT EXISTS twilio_inbox_events_open
    ON twilio_inbox_events (id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS twilio_inbox_events_open_sid
    ON twilio_inbox_events (resource_sid, rank, id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS twilio_inbox_events_dead
    ON twilio_inbox_events (id) WHERE status = 'dead';
CREATE UNIQUE INDEX IF NOT EXISTS twilio_inbox_events_key
    ON twilio_inbox_events (dedup_key) WHERE dedup_key IS NOT NULL;

-- Store a batch (no two events of it share a dedup key: the caller merges repeats).
-- A duplicate of a stored event (same dedup key) is reported, not stored. A new row is
-- stored already leased to p_owner when nothing of its SID comes before it or runs now.
CREATE OR REPLACE FUNCTION twilio_inbox_append(
    p_owner text, p_lease double precision,
    p_name text[], p_sid text[], p_rank integer[], p_token text[], p_key text[],
    p_inline boolean[], p_ctype text[], p_payload bytea[]
) RETURNS TABLE (o_ord integer, o_id bigint, o_duplicate boolean, o_claimed boolean,
                 o_reply bytea)
LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
DECLARE
    now_ double precision := extract(epoch FROM clock_timestamp());
    ids bigint[];
BEGIN
    ids := ARRAY(SELECT nextval('twilio_inbox_events_id_seq')
                 FROM generate_subscripts(p_name, 1));
    {_LOCK_SIDS.format(sids="p_sid")}
    RETURN QUERY
    WITH stored AS (
        INSERT INTO twilio_inbox_events (id, received_at, name, resource_sid, rank, token,
            dedup_key, inline, content_type, payload, status, updated_at, lease_owner,
            lease_until)
        SELECT ids[s], now_, p_name[s], p_sid[s], p_rank[s], p_token[s], p_key[s],
            p_inline[s], p_ctype[s], p_payload[s], 'pending', now_,
            CASE WHEN free THEN p_owner END, CASE WHEN free THEN now_ + p_lease ELSE 0 END
        FROM (
            SELECT s, p_sid[s] IS NULL OR (
                NOT EXISTS (
                    SELECT 1 FROM twilio_inbox_events o
                    WHERE o.resource_sid = p_sid[s] AND o.status = 'pending'
                      AND ((o.rank, o.id) < (p_rank[s], ids[s]) OR o.lease_until > now_))
                AND NOT EXISTS (
                    SELECT 1 FROM generate_subscripts(p_name, 1) AS t
                    WHERE p_sid[t] = p_sid[s] AND (p_rank[t], ids[t]) < (p_rank[s], ids[s]))
            ) AS free
            FROM generate_subscripts(p_name, 1) AS s) AS x
        -- Keys in sorted order, so that two batches never wait on each other crosswise.
        ORDER BY p_key[s] NULLS LAST
        ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
        RETURNING id, lease_owner IS NOT NULL AS claimed)
    SELECT s, ids[s], false, st.claimed, NULL::bytea
    FROM generate_subscripts(p_name, 1) AS s JOIN stored st ON st.id = ids[s];
    RETURN QUERY  -- one index lookup per key (a join would scan the whole key index)
    SELECT s, d.id, true, false, d.reply
    FROM generate_subscripts(p_name, 1) AS s
    CROSS JOIN LATERAL (
        SELECT e.id, e.reply FROM twilio_inbox_events e
        WHERE e.dedup_key = p_key[s] AND e.id <> ids[s] LIMIT 1) AS d
    WHERE p_key[s] IS NOT NULL;
END
$fn$;

-- Lease up to p_limit claimable rows (oldest first) to p_owner. A row whose lease expired
-- counts the interrupted attempt.
CREATE OR REPLACE FUNCTION twilio_inbox_claim(
    p_owner text, p_lease double precision, p_limit integer
) RETURNS TABLE ({_RECORD_TYPE})
LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
DECLARE
    now_ double precision := extract(epoch FROM clock_timestamp());
    cand_ids bigint[];
    cand_sids text[];
BEGIN
    SELECT array_agg(x.id), array_agg(x.resource_sid) INTO cand_ids, cand_sids FROM (
        SELECT e.id, e.resource_sid FROM twilio_inbox_events e
        WHERE e.status = 'pending' AND e.lease_until <= now_ AND e.next_attempt_at <= now_
          AND {_NOT_BLOCKED}
        ORDER BY e.id LIMIT p_limit) AS x;
    IF cand_ids IS NULL THEN
        RETURN;
    END IF;
    {_LOCK_SIDS.format(sids="cand_sids")}
    now_ := extract(epoch FROM clock_timestamp());
    RETURN QUERY
    UPDATE twilio_inbox_events e SET
        lease_owner = p_owner, lease_until = now_ + p_lease,
        attempts = e.attempts + CASE WHEN e.lease_owner IS NULL THEN 0 ELSE 1 END,
        last_error = CASE WHEN e.lease_owner IS NULL THEN e.last_error
                     ELSE 'lease expired: the replica running it stopped or stalled' END
    WHERE e.id = ANY(cand_ids) AND e.status = 'pending' AND e.lease_until <= now_
      AND {_NOT_BLOCKED}
    RETURNING {_RECORD_COLUMNS};
END
$fn$;

-- Record outcomes of rows leased to p_owner (a negative attempts means "one more than
-- stored"); final outcomes release the lease and lease the next row of each SID to
-- p_owner. Returns the rows claimed (o_lost false) and the ids whose lease was lost.
CREATE OR REPLACE FUNCTION twilio_inbox_settle(
    p_owner text, p_lease double precision, p_ids bigint[], p_status text[],
    p_attempts integer[], p_next double precision[], p_error text[], p_reply bytea[]
) RETURNS TABLE (o_lost boolean, {_RECORD_TYPE})
LANGUAGE plpgsql SET enable_seqscan = off AS $fn$
DECLARE
    now_ double precision := extract(epoch FROM clock_timestamp());
    settled_ids bigint[];
    freed_sids text[];
    all_sids text[];
BEGIN
    -- Every function takes its SID locks before it touches a row, so none waits for a row
    -- (or a key) while holding a SID lock another one needs first: no deadlocks.
    all_sids := ARRAY(SELECT e.resource_sid FROM twilio_inbox_events e
                      WHERE e.id = ANY(p_ids) AND e.resource_sid IS NOT NULL);
    {_LOCK_SIDS.format(sids="all_sids")}
    WITH u AS (
        UPDATE twilio_inbox_events e SET
            status = v.status,
            attempts = CASE WHEN v.attempts < 0 THEN e.attempts + 1 ELSE v.attempts END,
            next_attempt_at = v.next,
            last_error = COALESCE(v.error, e.last_error),
            reply = COALESCE(v.reply, e.reply),
            updated_at = now_,
            lease_owner = CASE WHEN v.status = 'pending' THEN e.lease_owner END,
            lease_until = CASE WHEN v.status = 'pending' THEN e.lease_until ELSE 0 END
        FROM unnest(p_ids, p_status, p_attempts, p_next, p_error, p_reply)
            AS v(id, status, attempts, next, error, reply)
        WHERE e.id = ANY(p_ids) AND e.id = v.id AND e.lease_owner = p_owner
        RETURNING e.id, e.resource_sid, e.status)
    SELECT array_agg(u.id), array_agg(DISTINCT u.resource_sid)
        FILTER (WHERE u.status <> 'pending' AND u.resource_sid IS NOT NULL)
    INTO settled_ids, freed_sids FROM u;
    RETURN QUERY SELECT true, x.id, 0::double precision, ''::text, NULL::text, 0, NULL::text,
        NULL::text, false, ''::text, ''::bytea, ''::text, 0, 0::double precision, NULL::text,
        NULL::bytea, 0::double precision
    FROM unnest(p_ids) AS x(id) WHERE settled_ids IS NULL OR NOT x.id = ANY(settled_ids);
    IF freed_sids IS NULL THEN
        RETURN;
    END IF;
    now_ := extract(epoch FROM clock_timestamp());
    RETURN QUERY
    UPDATE twilio_inbox_events e SET lease_owner = p_owner, lease_until = now_ + p_lease
    WHERE e.id IN (
        SELECT DISTINCT ON (h.resource_sid) h.id FROM twilio_inbox_events h
        WHERE h.resource_sid = ANY(freed_sids) AND h.status = 'pending'
        ORDER BY h.resource_sid, h.rank, h.id)
      AND e.status = 'pending' AND e.lease_until <= now_ AND e.next_attempt_at <= now_
      AND {_NOT_BLOCKED}
    RETURNING false, {_RECORD_COLUMNS};
END
$fn$;
"""

MIGRATIONS: tuple[str, ...] = (_V1,)
"""SQL per schema version (index 0 is version 1); applied in order, each once."""

SCHEMA_VERSION = len(MIGRATIONS)
