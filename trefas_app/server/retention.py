"""Retention (gallring) on a server: the purge as one SECURITY DEFINER function.

Retention deletes whole cases past the access rule, and the row rules let a
login role delete only notes. So the purge of ``services/admin/retention.py``
(``_purge_case``: the content of the case and what hangs off it, the team,
documents, disclosures, the consents only it relied on, the person when
nothing else refers to them) runs on the server as ``trefas_owner`` in
``trefas.retention_purge(case_id, today)``, callable by the groups of the roles
that may run retention and the key holders on a local store (supervisors).
It refuses a case that is not closed and past its retention date. The
statements are built from the models, so a new content table is covered as
in ``_purge_case``; the service logs each deleted case as on a local store.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, exists, literal_column, not_, select, update

from trefas_app.domain.enums import CaseState, Role
from trefas_app.domain.permissions import role_may
from trefas_app.store import models as m
from trefas_app.server.rules import FUNCTION_SCHEMA, compile_sql

CASE = literal_column("p_case")
PERSON = literal_column("v_person")

#: Who may purge on a server: the roles with ``system.retention`` that hold
#: case content (on a local store the administrator has no key to it).
PURGERS = tuple(r for r in Role if role_may(r, "system.retention") and r != Role.ADMINISTRATOR)


def _case_statements() -> list:
    from trefas_app.services.admin.retention import case_purge_statements

    return case_purge_statements(CASE)


def _person_unused():
    """No other case and no content row refers to the person."""
    from trefas_app.store.models import CASE_CONTENT_MODELS

    others = [~exists().where(m.Case.person_id == PERSON, m.Case.id != CASE)]
    others += [~exists().where(model.person_id == PERSON) for model in CASE_CONTENT_MODELS]
    return select(and_(*others))


def _consent_statements() -> list:
    member = literal_column("ANY (v_gone)")
    return [update(m.Consent).where(m.Consent.previous_id == member,
                                    not_(m.Consent.id == member)).values(previous_id=None),
            update(m.Consent).where(m.Consent.case_id == CASE).values(case_id=None),
            delete(m.ConsentGrant).where(m.ConsentGrant.consent_id.op("=")(member)),
            delete(m.Consent).where(m.Consent.id.op("=")(member))]


def _person_statements() -> list:
    from trefas_app.services.admin.retention import person_purge_statements

    return person_purge_statements(PERSON)


def _sql(statements) -> str:
    return "\n".join(compile_sql(s) + ";" for s in statements)


def purge_function() -> str:
    """``CREATE FUNCTION trefas.retention_purge``: true when the person went
    too, false when only the case did, NULL when the case is not due."""
    roles = ", ".join(f"'{r.value}'" for r in PURGERS)
    due = compile_sql(select(m.Case.person_id).where(
        m.Case.id == CASE, m.Case.state == CaseState.CLOSED,
        m.Case.retain_until.is_not(None), m.Case.retain_until < literal_column("p_today")))
    by_person = compile_sql(select(m.Consent.id).where(m.Consent.person_id == PERSON))
    by_case = compile_sql(select(m.Consent.id).where(m.Consent.case_id == CASE))
    return f"""
CREATE OR REPLACE FUNCTION {FUNCTION_SCHEMA}.retention_purge(p_case integer, p_today date)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $trefas_fn$
DECLARE
    v_person integer; v_delete_person boolean; v_consents integer[]; v_kept integer[];
    v_gone integer[];
BEGIN
    IF NOT coalesce({FUNCTION_SCHEMA}.current_role_name() = ANY (ARRAY[{roles}]), false) THEN
        RAISE EXCEPTION 'retention: not allowed' USING ERRCODE = '42501';
    END IF;
    {due} INTO v_person;
    IF v_person IS NULL THEN RETURN NULL; END IF;
    INSERT INTO public.retention_purges (case_id) VALUES (p_case);
{_sql(_case_statements())}
    {compile_sql(_person_unused())} INTO v_delete_person;
    IF v_delete_person THEN
        v_consents := ARRAY({by_person});
    ELSE
        v_consents := ARRAY({by_case});
    END IF;
    v_kept := ARRAY(SELECT DISTINCT d.consent_id FROM public.disclosures d
                    WHERE d.consent_id = ANY (v_consents));
    IF v_delete_person AND cardinality(v_kept) > 0 THEN v_delete_person := false; END IF;
    v_gone := ARRAY(SELECT unnest(v_consents) EXCEPT SELECT unnest(v_kept));
{_sql(_consent_statements())}
    DELETE FROM public.cases WHERE id = p_case;
    IF v_delete_person THEN
{_sql(_person_statements())}
    END IF;
    DELETE FROM public.retention_purges WHERE case_id = p_case;
    RETURN v_delete_person;
END
$trefas_fn$"""


def due_function() -> str:
    """``trefas.retention_due(today)``: number and dates of the due cases only."""
    roles = ", ".join(f"'{r.value}'" for r in PURGERS)
    return f"""
CREATE OR REPLACE FUNCTION {FUNCTION_SCHEMA}.retention_due(p_today date)
RETURNS TABLE(id integer, number text, closed_at timestamp, retain_until date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $trefas_fn$
    SELECT c.id, c.number::text, c.closed_at::timestamp, c.retain_until FROM public.cases c
    WHERE {FUNCTION_SCHEMA}.current_role_name() = ANY (ARRAY[{roles}])
      AND c.state = '{CaseState.CLOSED.value}' AND c.retain_until IS NOT NULL
      AND c.retain_until < p_today ORDER BY c.id
$trefas_fn$"""
