from django.db import migrations

# Disposal at a retention review as one database function, retention_erase_premises(premises,
# user, reason), run with its owner's rights (SECURITY DEFINER): the runtime role the app
# connects as may not change the logs or the history (makesafe/dbroles.py), so this function is
# the only way their content can be erased, and it erases exactly what docs/domain.md
# (Retention) and docs/security.md check 29 say, logs the erasure and can run once per premises.
#
# Hand-written PL/pgSQL is the exception here (rules are pgtrigger triggers declared on the
# models): a privileged operation has to live in the database, owned by the owner role, and
# calling it is the only thing the app needs to do.
#
# What names the premises (its name, reference, address, postcode with and without its space,
# phone, email and licence reference, as they are and as they were in its history) is erased
# wherever it stands as whole words in the force's access-log and disclosure-log parameters,
# disclosure recipients and reasons, operation briefing notes and the disposal reason itself.
# The operator is not: it names a chain, whose other premises keep their records.

SQL = r"""
CREATE FUNCTION retention_pattern(term text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    -- `term` as a regular expression matching it as whole words, whatever the spacing: every
    -- character but letters, digits and spaces escaped.
    SELECT '(?<![[:alnum:]])'
        || regexp_replace(
            regexp_replace(btrim(term), '([^[:alnum:][:space:]])', '\\\1', 'g'),
            '[[:space:]]+', '[[:space:]]+', 'g'
        )
        || '(?![[:alnum:]])'
$$;

CREATE FUNCTION retention_like(term text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    -- A LIKE pattern, for lower(text), that every text holding `term` matches: its longest run
    -- of letters and digits. A cheap first sieve before the regular expressions.
    SELECT '%' || coalesce((
        SELECT lower(m[1]) FROM regexp_matches(term, '[[:alnum:]]+', 'g') AS m
        ORDER BY length(m[1]) DESC LIMIT 1
    ), '') || '%'
$$;

CREATE FUNCTION retention_redact(value text, patterns text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    pattern text;
BEGIN
    FOREACH pattern IN ARRAY patterns LOOP
        value := regexp_replace(value, pattern, '[erased at retention review]', 'gi');
    END LOOP;
    RETURN value;
END
$$;

CREATE FUNCTION retention_redact_json(value jsonb, patterns text[]) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CASE jsonb_typeof(value)
    WHEN 'string' THEN
        RETURN to_jsonb(public.retention_redact(value #>> '{}', patterns));
    WHEN 'array' THEN
        RETURN (
            SELECT coalesce(jsonb_agg(public.retention_redact_json(e, patterns) ORDER BY n), '[]')
            FROM jsonb_array_elements(value) WITH ORDINALITY AS a(e, n)
        );
    WHEN 'object' THEN
        RETURN (
            SELECT coalesce(jsonb_object_agg(k, public.retention_redact_json(v, patterns)), '{}')
            FROM jsonb_each(value) AS o(k, v)
        );
    ELSE
        RETURN value;
    END CASE;
END
$$;

CREATE FUNCTION retention_names(params jsonb, patterns text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (
        SELECT 1 FROM jsonb_path_query(params, 'strict $.**') AS v(value)
        WHERE jsonb_typeof(v.value) = 'string' AND v.value #>> '{}' ~* ANY (patterns)
    )
$$;

CREATE FUNCTION retention_erase_premises(p_premises bigint, p_user bigint, p_reason text)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
-- The triggers the app's tables carry are unqualified, so public stays on the path; only the
-- owner can create objects there, and temporary ones come last.
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    erased constant text := '[erased at retention review]';
    premises premises_premises%ROWTYPE;
    terms text[];
    patterns text[];
    sieve text[];
    visit_ids bigint[];
    session_ids bigint[];
    notice_ids bigint[];
    n_visits bigint;
    n_sessions bigint;
    n_notices bigint;
    n_access bigint;
    n_disclosure bigint;
    n_operations bigint;
    n_retained bigint;
    logged_reason text;
    summary text;
    log_id bigint;
    caller_ignores text := current_setting('pgtrigger.ignore', true);
BEGIN
    -- Every trigger fires for the records (their history, the rules), whatever the caller set.
    PERFORM set_config('pgtrigger.ignore', '{}', true);
    SELECT * INTO premises FROM premises_premises WHERE id = p_premises FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'retention_erase_premises: no premises %', p_premises;
    END IF;
    IF premises.disposed_at IS NOT NULL THEN
        RAISE EXCEPTION 'retention_erase_premises: premises % was disposed of already', p_premises
            USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM accounts_user WHERE id = p_user AND force_id = premises.force_id)
    THEN
        RAISE EXCEPTION 'retention_erase_premises: user % is not of the premises'' force', p_user
            USING ERRCODE = 'check_violation';
    END IF;

    -- What names it, now and in its history, longest first.
    SELECT coalesce(array_agg(term ORDER BY length(term) DESC), '{}') INTO terms
    FROM (
        SELECT DISTINCT btrim(t.term) AS term
        FROM (
            SELECT name, reference, address, postcode, phone, email, licence_reference
            FROM premises_premises WHERE id = premises.id
            UNION ALL
            SELECT name, reference, address, postcode, phone, email, licence_reference
            FROM premises_premisesevent WHERE pgh_obj_id = premises.id AND disposed_at IS NULL
        ) AS p,
        LATERAL unnest(ARRAY[
            p.name, p.reference, p.address, p.postcode, replace(p.postcode, ' ', ''),
            p.phone, p.email, p.licence_reference
        ]) AS t(term)
        WHERE btrim(t.term) <> ''
    ) AS named;
    patterns := ARRAY(
        SELECT retention_pattern(term) FROM unnest(terms) WITH ORDINALITY AS u(term, n) ORDER BY n
    );
    sieve := ARRAY(SELECT DISTINCT retention_like(term) FROM unnest(terms) AS term);

    SELECT coalesce(array_agg(id), '{}') INTO visit_ids
    FROM visits_visit WHERE premises_id = premises.id;
    SELECT coalesce(array_agg(id), '{}') INTO session_ids
    FROM training_trainingsession WHERE premises_id = premises.id;
    SELECT coalesce(array_agg(id), '{}') INTO notice_ids
    FROM training_notice WHERE premises_id = premises.id;
    n_visits := cardinality(visit_ids);
    n_sessions := cardinality(session_ids);
    n_notices := cardinality(notice_ids);

    -- The records: their free text and cadet links. Outcomes, dates, sectors and towns stay, so
    -- reports of past periods keep their counts.
    DELETE FROM visits_visit_participants WHERE visit_id = ANY (visit_ids);
    UPDATE visits_visit SET debrief_notes = erased WHERE id = ANY (visit_ids) AND debrief_notes <> '';
    UPDATE visits_visit SET reason = erased WHERE id = ANY (visit_ids) AND reason <> '';
    UPDATE training_trainingsession SET notes = '', trainer = '' WHERE id = ANY (session_ids);
    UPDATE training_notice SET grounds = erased, served_on_business = erased
    WHERE id = ANY (notice_ids);
    UPDATE retention_retentiondecision SET reason = erased
    WHERE premises_id = premises.id AND decision = 'retain';
    GET DIAGNOSTICS n_retained = ROW_COUNT;
    UPDATE visits_operation SET briefing_notes = retention_redact(briefing_notes, patterns),
        version = version + 1
    WHERE force_id = premises.force_id AND briefing_notes ~* ANY (patterns);
    GET DIAGNOSTICS n_operations = ROW_COUNT;
    UPDATE premises_premises SET
        name = 'Disposed premises', operator = '', address = '', postcode = '', uprn = '',
        licence_reference = '', phone = '', email = '', notes = '', active = false,
        disposed_at = now(), version = version + 1
    WHERE id = premises.id;

    -- Their history snapshots and the logs that name it: append-only for everyone else.
    PERFORM set_config('pgtrigger.ignore', (
        SELECT array_agg(tgname)::text FROM pg_trigger
        WHERE NOT tgisinternal AND tgrelid = ANY (ARRAY[
            'premises_premisesevent', 'visits_visitevent', 'training_trainingsessionevent',
            'training_noticeevent', 'retention_retentiondecisionevent', 'visits_operationevent',
            'audit_accesslog', 'audit_disclosurelog'
        ]::regclass[])
    ), true);
    UPDATE premises_premisesevent SET
        name = 'Disposed premises', operator = '', address = '', postcode = '', uprn = '',
        licence_reference = '', phone = '', email = '', notes = ''
    WHERE pgh_obj_id = premises.id;
    UPDATE visits_visitevent SET debrief_notes = erased
    WHERE (pgh_obj_id = ANY (visit_ids) OR premises_id = premises.id) AND debrief_notes <> '';
    UPDATE visits_visitevent SET reason = erased
    WHERE (pgh_obj_id = ANY (visit_ids) OR premises_id = premises.id) AND reason <> '';
    UPDATE training_trainingsessionevent SET notes = '', trainer = ''
    WHERE pgh_obj_id = ANY (session_ids) OR premises_id = premises.id;
    UPDATE training_noticeevent SET grounds = erased, served_on_business = erased
    WHERE pgh_obj_id = ANY (notice_ids) OR premises_id = premises.id;
    UPDATE retention_retentiondecisionevent SET reason = erased
    WHERE premises_id = premises.id AND decision = 'retain';
    UPDATE visits_operationevent SET briefing_notes = retention_redact(briefing_notes, patterns)
    WHERE force_id = premises.force_id AND briefing_notes ~* ANY (patterns);
    UPDATE audit_accesslog SET params = retention_redact_json(params, patterns)
    WHERE (force_id = premises.force_id OR force_id IS NULL) AND params <> '{}'
        AND lower(params::text) LIKE ANY (sieve) AND retention_names(params, patterns);
    GET DIAGNOSTICS n_access = ROW_COUNT;
    UPDATE audit_disclosurelog SET
        params = retention_redact_json(params, patterns),
        recipient = retention_redact(recipient, patterns),
        reason = retention_redact(reason, patterns)
    WHERE (force_id = premises.force_id OR force_id IS NULL)
        AND (recipient ~* ANY (patterns) OR reason ~* ANY (patterns)
            OR retention_names(params, patterns));
    GET DIAGNOSTICS n_disclosure = ROW_COUNT;
    PERFORM set_config('pgtrigger.ignore', '{}', true);

    -- The decision and the erasure-log entry, which never name it either.
    logged_reason := retention_redact(p_reason, patterns);
    INSERT INTO retention_retentiondecision
        (force_id, premises_id, decision, reason, next_review_on, decided_by_id,
         created_at, updated_at)
    VALUES (premises.force_id, premises.id, 'dispose', logged_reason, NULL, p_user, now(), now());
    summary := 'premises details (name, address, contacts, notes)'
        || CASE WHEN n_visits > 0 THEN format('; %s visits', n_visits) ELSE '' END
        || CASE WHEN n_sessions > 0 THEN format('; %s training sessions', n_sessions) ELSE '' END
        || CASE WHEN n_notices > 0 THEN format('; %s s.116 notices', n_notices) ELSE '' END
        || '; their free text, cadet links and history snapshots'
        || CASE WHEN n_retained > 0
            THEN format('; %s earlier retain reasons', n_retained) ELSE '' END
        || CASE WHEN n_operations > 0
            THEN format('; its name in %s operation briefing notes', n_operations) ELSE '' END
        || CASE WHEN n_access + n_disclosure > 0
            THEN format('; its name in %s access-log and %s disclosure-log entries',
                n_access, n_disclosure)
            ELSE '' END;
    INSERT INTO audit_erasurelog (force_id, user_id, at, object_type, object_id, reference, what,
        reason)
    VALUES (premises.force_id, p_user, now(), 'premises.premises', premises.id,
        premises.reference, left(summary, 500), logged_reason)
    RETURNING id INTO log_id;
    -- The caller's own setting back (it lasts to the end of the transaction at most).
    PERFORM set_config('pgtrigger.ignore', caller_ignores, true);
    RETURN log_id;
END
$$;

-- Only the roles `manage.py migrate` grants it to (makesafe/dbroles.py) may call it.
REVOKE ALL ON FUNCTION retention_erase_premises(bigint, bigint, text) FROM PUBLIC;
"""

REVERSE = """
DROP FUNCTION retention_erase_premises(bigint, bigint, text);
DROP FUNCTION retention_names(jsonb, text[]);
DROP FUNCTION retention_redact_json(jsonb, text[]);
DROP FUNCTION retention_redact(text, text[]);
DROP FUNCTION retention_pattern(text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0002_roles"),
        ("accounts", "0006_drop_session_with_user_hint"),
        ("audit", "0002_access_log_without_single_column_indexes"),
        ("premises", "0008_disposed_is_final"),
        ("training", "0007_rules_declared_with_pgtrigger"),
        ("visits", "0008_rules_declared_with_pgtrigger"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE)]
