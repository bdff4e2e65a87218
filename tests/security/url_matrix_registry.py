"""Where each URL's role matrix lives: one registry for the whole URLconf.

Every URL name of the root URLconf maps to the table that holds its role matrix (each role against an
object in scope, one out of scope, and anonymous visitors, with exact statuses). Most apps keep a table
next to their own tests; the URLs whose access tests are not a table (rubrics, campaigns, reports, the
dashboard, the audit trail, log-in and account pages, parts of the ledger) are rows of the GENERIC
matrix in tests/security/test_url_matrix.py.

tests/security/test_url_matrix.py fails when
- a URL of the URLconf has no entry here (a new URL must be given a matrix row somewhere),
- an entry names a URL that no longer exists,
- the table named here does not really hold a row for that URL (its rows are read from the table itself).
"""
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """An app's role-matrix table: where it is and how to read the URL names its rows cover."""
    label: str  # shown in failure messages: file::constant
    covered: Callable[[], set[str]]


def _units() -> set[str]:
    from tests.units.test_role_matrix import MATRIX

    return {row[0] for row in MATRIX}


def _self_assessment() -> set[str]:
    from tests.assessment.test_self_assessment_access import MATRIX

    return {f"assessment:{row[0]}" for row in MATRIX}


def _inspections() -> set[str]:
    from tests.inspections.test_role_matrix import MATRIX

    return {f"inspections:{row[0]}" for row in MATRIX}


def _evaluation() -> set[str]:
    from tests.evaluation.test_role_matrix import TABLE

    # Rows are "namespace:name" or "namespace:name:a|b" (the in-scope / out-of-scope variant).
    return {":".join(row[0].split(":")[:2]) for row in TABLE}


def _ledger() -> set[str]:
    from tests.ledger.test_views import PLAIN_PAGES, UNIT_PAGES

    return {f"ledger:{name}" for name in UNIT_PAGES} | set(PLAIN_PAGES)


def _generic() -> set[str]:
    from tests.security.test_url_matrix import GENERIC

    return {row.name for row in GENERIC}


UNITS = Table("tests/units/test_role_matrix.py::MATRIX", _units)
SELF_ASSESSMENT = Table("tests/assessment/test_self_assessment_access.py::MATRIX", _self_assessment)
INSPECTIONS = Table("tests/inspections/test_role_matrix.py::MATRIX", _inspections)
EVALUATION = Table("tests/evaluation/test_role_matrix.py::TABLE", _evaluation)
LEDGER = Table("tests/ledger/test_views.py::UNIT_PAGES/PLAIN_PAGES", _ledger)
GENERIC = Table("tests/security/test_url_matrix.py::GENERIC", _generic)


def _names(namespace: str, names: str) -> list[str]:
    return [f"{namespace}:{name}" if namespace else name for name in names.split()]


REGISTRY: dict[str, Table] = {
    # -- log-in, account and platform pages ---------------------------------------------------------
    **dict.fromkeys(_names("", """
        home login logout password_change password_change_done password_reset password_reset_done
        password_reset_confirm password_reset_complete set_language audit_list"""), GENERIC),
    **dict.fromkeys(_names("two_factor", "verify setup security disable reset"), GENERIC),
    # -- units --------------------------------------------------------------------------------------
    **dict.fromkeys(_names("units", """
        list export create import import_confirm import_template detail edit set_active person_create
        person_edit"""), UNITS),
    # -- assessment: rubrics and campaigns (role tests there are not a table: rows here) ---------------
    **dict.fromkeys(_names("assessment", """
        rubric_list rubric_import rubric_detail rubric_export rubric_publish rubric_new_version rubric_delete
        campaign_list campaign_create campaign_detail campaign_update campaign_enrol campaign_unenrol
        campaign_timeline"""), GENERIC),
    # -- assessment: self-assessments, evidence, review -------------------------------------------------
    **dict.fromkeys(_names("assessment", """
        my_assessments self_assessment self_assessment_item self_assessment_submit self_assessment_history
        evidence_download evidence_delete evidence_replace review_queue review_detail extension_grant"""),
        SELF_ASSESSMENT),
    # -- ledger ---------------------------------------------------------------------------------------
    **dict.fromkeys(_names("ledger", "unit_year record_edit year_template evidence_download panel panel_export "
                                     "targets"), LEDGER),
    **dict.fromkeys(_names("ledger", "index unit import_year evidence_upload evidence_delete"), GENERIC),
    # -- inspections ----------------------------------------------------------------------------------
    **dict.fromkeys(_names("inspections", """
        round_list round_create round_detail round_edit round_draw visit_list visit_create visit_detail
        visit_item visit_complete visit_cancel photo_file photo_remove order_create order_list order_detail
        order_acknowledge order_proof order_verify proof_file review_list review_start review_detail
        review_item review_accept_remaining review_extras review_finalise objection_raise objection_rule
        review_recheck city_review_list city_review_decide certification_list publicity_create publicity_detail
        publicity_close
        publicity_withdraw certificate_revoke public_certified notification_list notification_read"""),
        INSPECTIONS),
    # -- reports (access tests there are not a table: rows here) ------------------------------------------
    **dict.fromkeys(_names("reports", "list request verify detail status download retry"), GENERIC),
    # -- public evaluation, activities, awards ----------------------------------------------------------
    **dict.fromkeys(_names("evaluation", """
        index round_list round_create round_detail round_edit round_status round_targets_add media_create
        target_detail target_poster target_invitations moderation_queue moderation_decide activity_list
        activity_create activity_detail activity_edit activity_cancel participation_register
        participation_photo nomination_list nominate_star nominate_guardian nomination_decide
        nomination_withdraw public_awards"""), EVALUATION),
    **dict.fromkeys(_names("evaluation_public", "questionnaire thanks invited"), EVALUATION),
    # -- the leaders' dashboard (role tests there are not a table: rows here) -----------------------------
    **dict.fromkeys(_names("dashboard", "index battle_map targets scores supervision carbon"), GENERIC),
}

TABLES = (UNITS, SELF_ASSESSMENT, INSPECTIONS, EVALUATION, LEDGER, GENERIC)
