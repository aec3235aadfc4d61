"""The server's own functions: the access log's one way in, the store's keys,
and the account steps that need CREATEROLE (docs/server.md).

Every function is ``SECURITY DEFINER`` with an empty ``search_path`` (each
name in its body is schema-qualified), so a login role cannot make it run its
own objects; each decides who it serves from ``session_user`` — the login
role PostgreSQL checked the password of — never from anything a client sets.
"""

from __future__ import annotations

OWNER = "trefas_owner"
ACCOUNT_MANAGER = "trefas_account_manager"
ROLE_PREFIX = "trefas_role_"
#: Any constant: the one advisory lock that orders appends to the log.
LOG_LOCK = 7_301_001

SCHEMA = f"""
CREATE SCHEMA IF NOT EXISTS trefas AUTHORIZATION {OWNER};
CREATE SCHEMA IF NOT EXISTS trefas_private AUTHORIZATION {OWNER};
REVOKE ALL ON SCHEMA trefas_private FROM PUBLIC;
CREATE TABLE IF NOT EXISTS trefas_private.store_keys (
    name text PRIMARY KEY,
    value bytea NOT NULL);
ALTER TABLE trefas_private.store_keys OWNER TO {OWNER};
REVOKE ALL ON trefas_private.store_keys FROM PUBLIC;
"""

# The log: user, agency and role come from the users row of session_user;
# only a role without one (the owner, at init and import) names them itself.
# The canonical JSON is security/audit_chain.py's, byte for byte
# (to_json escapes exactly as json.dumps(ensure_ascii=False) does).
LOG_APPEND = f"""
CREATE OR REPLACE FUNCTION trefas.log_append(
    p_at text, p_action text, p_subject_kind text, p_subject_id text,
    p_case_id integer, p_person_id integer, p_reason text, p_detail text,
    p_username text, p_agency text, p_role text,
    OUT seq integer, OUT hash text, OUT prev_hash text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    v_user_id integer;
    v_user text := p_username;
    v_agency text := p_agency;
    v_role text := p_role;
    v_canonical text;
    j constant text := 'null';
BEGIN
    SELECT u.id, u.username, u.agency, u.role INTO v_user_id, v_user, v_agency, v_role
      FROM public.users u WHERE u.username = session_user;
    IF NOT FOUND THEN
        IF NOT pg_catalog.pg_has_role(session_user, '{OWNER}', 'MEMBER') THEN
            RAISE EXCEPTION 'trefas: % is not a Trefas user', session_user;
        END IF;
        v_user := p_username; v_agency := p_agency; v_role := p_role;
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock({LOG_LOCK});
    SELECT e.seq + 1, e.hash INTO seq, prev_hash
      FROM public.audit_events e ORDER BY e.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        seq := 1; prev_hash := pg_catalog.repeat('0', 64);
    END IF;
    v_canonical := '{{"action":' || pg_catalog.to_json(p_action)::text
        || ',"agency":' || coalesce(pg_catalog.to_json(v_agency)::text, j)
        || ',"at":' || pg_catalog.to_json(p_at)::text
        || ',"case_id":' || coalesce(pg_catalog.to_json(p_case_id::text)::text, j)
        || ',"detail":' || coalesce(pg_catalog.to_json(p_detail)::text, j)
        || ',"person_id":' || coalesce(pg_catalog.to_json(p_person_id::text)::text, j)
        || ',"prev_hash":' || pg_catalog.to_json(prev_hash)::text
        || ',"reason":' || coalesce(pg_catalog.to_json(p_reason)::text, j)
        || ',"role":' || coalesce(pg_catalog.to_json(v_role)::text, j)
        || ',"seq":' || seq::text
        || ',"subject_id":' || coalesce(pg_catalog.to_json(p_subject_id)::text, j)
        || ',"subject_kind":' || coalesce(pg_catalog.to_json(p_subject_kind)::text, j)
        || ',"user":' || coalesce(pg_catalog.to_json(v_user)::text, j) || '}}';
    hash := pg_catalog.encode(pg_catalog.sha256(
        pg_catalog.decode(prev_hash, 'hex') || pg_catalog.convert_to(v_canonical, 'UTF8')),
        'hex');
    INSERT INTO public.audit_events (seq, at, user_id, username, agency, role, action,
        subject_kind, subject_id, case_id, person_id, reason, detail, prev_hash, hash)
    VALUES (seq, p_at, v_user_id, v_user, v_agency, v_role, p_action, p_subject_kind,
        p_subject_id, p_case_id, p_person_id, p_reason, p_detail, prev_hash, hash);
END $$;
ALTER FUNCTION trefas.log_append(text, text, text, text, integer, integer, text, text,
    text, text, text) OWNER TO {OWNER};
REVOKE ALL ON FUNCTION trefas.log_append(text, text, text, text, integer, integer, text,
    text, text, text, text) FROM PUBLIC;

-- The whole chain, for verification by those who may verify it: entries hold
-- ids only, never case content.
CREATE OR REPLACE FUNCTION trefas.log_chain(p_after integer, p_limit integer)
RETURNS SETOF public.audit_events
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT * FROM public.audit_events e WHERE e.seq > p_after ORDER BY e.seq LIMIT p_limit
$$;
ALTER FUNCTION trefas.log_chain(integer, integer) OWNER TO {OWNER};
REVOKE ALL ON FUNCTION trefas.log_chain(integer, integer) FROM PUBLIC;

CREATE OR REPLACE FUNCTION trefas.log_head(OUT seq integer, OUT hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT coalesce(max(e.seq), 0),
           coalesce((SELECT e2.hash FROM public.audit_events e2
                     ORDER BY e2.seq DESC LIMIT 1), pg_catalog.repeat('0', 64))
      FROM public.audit_events e
$$;
ALTER FUNCTION trefas.log_head() OWNER TO {OWNER};
REVOKE ALL ON FUNCTION trefas.log_head() FROM PUBLIC;
"""

# The store's Ed25519 key (checkpoints, documents; the note seal derives from
# it): readable only through this function, by roles that work with cases.
KEYS = f"""
CREATE OR REPLACE FUNCTION trefas.store_key(p_name text) RETURNS bytea
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT k.value FROM trefas_private.store_keys k WHERE k.name = p_name
$$;
ALTER FUNCTION trefas.store_key(text) OWNER TO {OWNER};
REVOKE ALL ON FUNCTION trefas.store_key(text) FROM PUBLIC;
CREATE OR REPLACE FUNCTION trefas.store_public_key() RETURNS bytea
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT k.value FROM trefas_private.store_keys k WHERE k.name = 'signing_public'
$$;
ALTER FUNCTION trefas.store_public_key() OWNER TO {OWNER};
REVOKE ALL ON FUNCTION trefas.store_public_key() FROM PUBLIC;
"""


def _is_admin() -> str:
    return f"pg_catalog.pg_has_role(session_user, '{ROLE_PREFIX}administrator', 'MEMBER')"


# Account steps. Passwords never reach the server in clear: the client sends
# the SCRAM verifier libpq computes (PQencryptPasswordConn), so neither the
# server log nor pgaudit ever holds one.
ACCOUNTS = f"""
-- The fingerprint of each enrolment (docs/accounts.md, the security review's
-- finding 8): the person reads it out, the confirming supervisor types it.
CREATE TABLE IF NOT EXISTS trefas.account_fingerprints (
    username text PRIMARY KEY,
    fingerprint text NOT NULL
);
ALTER TABLE trefas.account_fingerprints OWNER TO {ACCOUNT_MANAGER};
REVOKE ALL ON trefas.account_fingerprints FROM PUBLIC;
DROP FUNCTION IF EXISTS trefas.account_confirm(text);

-- Sixteen characters in four groups (80 bits) of SHA-256 over the user name
-- and the SCRAM verifier the enrolment set (its salt is random, so every
-- enrolment has its own), in the alphabet of the one-time codes.
CREATE OR REPLACE FUNCTION trefas.account_fingerprint_of(p_username text, p_verifier text)
RETURNS text LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS $$
DECLARE
    v_bits bit(80) := ('x' || pg_catalog.encode(pg_catalog.substring(pg_catalog.sha256(
        pg_catalog.convert_to('trefas-enrolment:v1:' || p_username || ':' || p_verifier,
                              'UTF8')), 1, 10), 'hex'))::bit(80);
    v_out text := '';
BEGIN
    FOR i IN 0..15 LOOP
        IF i > 0 AND i % 4 = 0 THEN
            v_out := v_out || '-';
        END IF;
        v_out := v_out || pg_catalog.substr('ABCDEFGHJKLMNPQRSTUVWXYZ23456789',
            pg_catalog.substring(v_bits, i * 5 + 1, 5)::bit(5)::integer + 1, 1);
    END LOOP;
    RETURN v_out;
END $$;

CREATE OR REPLACE FUNCTION trefas.account_fingerprint_normal(p_text text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = '' AS $$
    SELECT pg_catalog.upper(pg_catalog.regexp_replace(coalesce(p_text, ''), '[^A-Za-z0-9]',
                                                      '', 'g'))
$$;

-- The fingerprint of one's own enrolment (to read out; also before any group).
CREATE OR REPLACE FUNCTION trefas.account_fingerprint() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
    SELECT f.fingerprint FROM trefas.account_fingerprints f
     WHERE f.username = session_user::text
$$;

CREATE OR REPLACE FUNCTION trefas.account_check_name(p_username text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS $$
BEGIN
    IF p_username !~ '^[a-z][a-z0-9._-]{{1,63}}$' OR p_username LIKE 'trefas%'
       OR p_username LIKE 'pg\\_%' OR p_username = 'postgres' THEN
        RAISE EXCEPTION 'trefas: not a user name: %', p_username;
    END IF;
END $$;

-- The administrator opens an account: a login role whose password is the
-- one-time code, valid until the given time, member of no group yet.
CREATE OR REPLACE FUNCTION trefas.account_open(p_username text, p_verifier text,
                                               p_valid_until timestamptz) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE v_group text;
BEGIN
    IF NOT {_is_admin()} THEN
        RAISE EXCEPTION 'trefas: only an administrator opens accounts';
    END IF;
    PERFORM trefas.account_check_name(p_username);
    DELETE FROM trefas.account_fingerprints f WHERE f.username = p_username;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = p_username) THEN
        -- A reset: the content grants go at once; only a confirmation brings
        -- them back (docs/accounts.md).
        FOR v_group IN SELECT g.rolname FROM pg_catalog.pg_auth_members am
                         JOIN pg_catalog.pg_roles g ON g.oid = am.roleid
                         JOIN pg_catalog.pg_roles u ON u.oid = am.member
                        WHERE u.rolname = p_username AND g.rolname LIKE '{ROLE_PREFIX}%' LOOP
            EXECUTE pg_catalog.format('REVOKE %I FROM %I', v_group, p_username);
        END LOOP;
        EXECUTE pg_catalog.format('ALTER ROLE %I LOGIN PASSWORD %L VALID UNTIL %L',
                                  p_username, p_verifier, p_valid_until);
    ELSE
        EXECUTE pg_catalog.format('CREATE ROLE %I LOGIN PASSWORD %L VALID UNTIL %L',
                                  p_username, p_verifier, p_valid_until);
    END IF;
END $$;

-- The user, logged in with the code, sets their own password (no expiry).
CREATE OR REPLACE FUNCTION trefas.account_enrol(p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
    PERFORM trefas.account_check_name(session_user::text);
    EXECUTE pg_catalog.format('ALTER ROLE %I PASSWORD %L VALID UNTIL %L',
                              session_user, p_verifier, 'infinity');
    INSERT INTO trefas.account_fingerprints (username, fingerprint)
    VALUES (session_user::text, trefas.account_fingerprint_of(session_user::text, p_verifier))
    ON CONFLICT (username) DO UPDATE SET fingerprint = EXCLUDED.fingerprint;
END $$;

-- A supervisor of the same agency confirms, typing the fingerprint the person
-- reads out: the account joins its role's group only if it is that enrolment's.
CREATE OR REPLACE FUNCTION trefas.account_confirm(p_username text, p_fingerprint text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
    v_role text; v_agency text; v_my_agency text; v_id integer;
BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, '{ROLE_PREFIX}supervisor', 'MEMBER') THEN
        RAISE EXCEPTION 'trefas: only a supervisor confirms accounts';
    END IF;
    PERFORM trefas.account_check_name(p_username);
    SELECT u.role, u.agency, u.id INTO v_role, v_agency, v_id FROM public.users u
     WHERE u.username = p_username AND u.active;
    SELECT u.agency INTO v_my_agency FROM public.users u WHERE u.username = session_user;
    IF v_role IS NULL OR v_agency IS DISTINCT FROM v_my_agency THEN
        RAISE EXCEPTION 'trefas: % is not an active user of your agency', p_username;
    END IF;
    PERFORM trefas.account_check_fingerprint(p_username, p_fingerprint);
    EXECUTE pg_catalog.format('GRANT %I TO %I', '{ROLE_PREFIX}' || v_role, p_username);
    -- On record in the same transaction, whoever calls this (program or psql).
    PERFORM trefas.log_append(
        pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC',
                           'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'account.confirm', 'user', v_id::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
END $$;

-- Refuses a fingerprint that is not the one of the account's enrolment.
CREATE OR REPLACE FUNCTION trefas.account_check_fingerprint(p_username text,
                                                            p_fingerprint text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = '' AS $$
DECLARE v_expected text;
BEGIN
    SELECT f.fingerprint INTO v_expected FROM trefas.account_fingerprints f
     WHERE f.username = p_username;
    IF v_expected IS NULL OR trefas.account_fingerprint_normal(v_expected)
            IS DISTINCT FROM trefas.account_fingerprint_normal(p_fingerprint) THEN
        RAISE EXCEPTION 'trefas: fingerprint mismatch for %', p_username;
    END IF;
END $$;

-- Disabling takes effect at once: no new log-in, open connections ended.
CREATE OR REPLACE FUNCTION trefas.account_disable(p_username text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE ended integer := 0; v_pid integer;
BEGIN
    IF NOT {_is_admin()} THEN
        RAISE EXCEPTION 'trefas: only an administrator disables accounts';
    END IF;
    PERFORM trefas.account_check_name(p_username);
    IF p_username = session_user THEN
        RAISE EXCEPTION 'trefas: you cannot disable your own account';
    END IF;
    EXECUTE pg_catalog.format('ALTER ROLE %I NOLOGIN', p_username);
    -- A loop, not one WHERE: the filter must run before the termination.
    FOR v_pid IN SELECT a.pid FROM pg_catalog.pg_stat_activity a
                  WHERE a.usename = p_username LOOP
        IF pg_catalog.pg_terminate_backend(v_pid) THEN
            ended := ended + 1;
        END IF;
    END LOOP;
    RETURN ended;
END $$;
"""

ACCOUNT_FUNCTIONS = ("account_open(text, text, timestamptz)", "account_enrol(text)",
                     "account_confirm(text, text)", "account_disable(text)",
                     "account_fingerprint()", "account_check_fingerprint(text, text)")
#: What the server says when a typed fingerprint is not the enrolment's.
FINGERPRINT_MISMATCH = "trefas: fingerprint mismatch"
