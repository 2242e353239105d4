"""What the OpenAPI document cannot state, for the conformance run (tests/api/conformance.rs).

- `kaizen-cursor`: a list's `next_cursor` is made by the server from the last row of the
  page before; any other string is refused (400). The only cursor a client can make is
  the empty one, which is the first page.
- Ids in bodies must name objects of the caller's organisation, times must lie ahead
  and in order, dimension keys must be the questionnaire's, a unit's name must differ
  from its siblings' and a round's title from the other rounds', and the shares of an
  idea's authors must add up to 100, a write names the version it builds on in its body
  or in If-Match, and an answer sheet answers every statement of its questionnaire:
  rules over stored state and over several fields.
- The sign-in settings have rules across their fields (an enabled sign-in needs an
  issuer and a client, password login goes off only with sign-in on, mapped groups are
  unique and their units exist); a valid request is a disabled sign-in.
- A staff list (text/csv) and a questionnaire definition are documents with rules
  across their rows and parts (a header naming the columns, units that exist, unique
  keys, items per dimension) that no schema states.
Requests generated as valid get such values (from the objects the test created, the built-in questionnaire's key, a staff
list of one new person, the built-in questionnaire under a new key); requests generated
as invalid are left alone.
"""

import copy
import json
import os
import pathlib
import uuid

from hypothesis import strategies as st

import schemathesis

schemathesis.openapi.format("kaizen-cursor", st.just(""))

# Body field -> environment variable with a value of the test's organisation.
STORED = {
    "unit_id": "KAIZEN_ST_UNIT",
    "parent_id": "KAIZEN_ST_UNIT",
    "scope_unit_id": "KAIZEN_ST_UNIT",
    "questionnaire_id": "KAIZEN_ST_QUESTIONNAIRE",
    "owner_id": "KAIZEN_ST_USER",
    "duplicate_of": "KAIZEN_ST_IDEA",
    "opens_at": "KAIZEN_ST_OPENS_AT",
    "closes_at": "KAIZEN_ST_CLOSES_AT",
    "first_due_at": "KAIZEN_ST_OPENS_AT",
    "due_date": "KAIZEN_ST_DUE_DATE",
}


DEFAULT_QUESTIONNAIRE = json.loads(
    (pathlib.Path(__file__).resolve().parents[2] / "questionnaires" / "default.json").read_text(encoding="utf-8")
)


def fresh():
    return uuid.uuid4().hex[:12]


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    path, method = case.operation.path, case.operation.method.upper()
    if (method, path) == ("POST", "/api/v1/users/import"):
        unit = os.environ["KAIZEN_ST_UNIT_NAME"]
        case.body = f"Name;E-Mail;Einheit;Rolle\nKim Neu;kim.{fresh()}@example.org;{unit};employee\n"
        return
    if (method, path) == ("POST", "/api/v1/questionnaires"):
        definition = copy.deepcopy(DEFAULT_QUESTIONNAIRE)
        definition["key"] = f"befragung-{fresh()}"
        case.body = definition
        return
    if (method, path) == ("PUT", "/api/v1/organization/sign-in") and isinstance(case.body, dict):
        version = case.body.get("version")
        case.body = {
            "version": version if isinstance(version, int) else 0,
            "enabled": False,
            "issuer_url": "",
            "client_id": "",
            "group_mappings": [],
            "password_login": True,
        }
        return
    if method == "POST" and path == "/api/v1/assessments/{id}/responses":
        items = os.environ["KAIZEN_ST_ITEMS"].split(",")
        case.body = {"answers": [{"item_id": item, "value": "cant_judge"} for item in items]}
        return
    if not isinstance(case.body, dict):
        return
    body = case.body
    versioned = method in ("PATCH", "PUT") or path.endswith("/transitions")
    headers = {k.lower() for k in (case.headers or {})}
    if versioned and "if-match" not in headers and body.get("version") is None:
        body["version"] = 1
    for field, variable in STORED.items():
        # A null stays null where the document allows it (no parent, no scope).
        if body.get(field) is not None:
            body[field] = os.environ[variable]
    if isinstance(body.get("dimensions"), list):
        body["dimensions"] = []
    # A group comes whole: co-authors with the author's share, adding up to 100.
    if body.get("co_authors") is not None or body.get("author_share") is not None:
        body["co_authors"] = []
        body["author_share"] = 100
    if body.get("reference_questionnaire_key") is not None:
        body["reference_questionnaire_key"] = DEFAULT_QUESTIONNAIRE["key"]
    # A webhook target the run can post to without leaving the machine.
    if (method, path) == ("POST", "/api/v1/webhooks") and isinstance(body.get("url"), str):
        body["url"] = "http://127.0.0.1:9/kaizen-hook"
    if path.startswith("/api/v1/units") and isinstance(body.get("name"), str):
        body["name"] = f"Einheit {fresh()}"
    if path.startswith("/api/v1/assessments") and isinstance(body.get("title"), str):
        body["title"] = f"Runde {fresh()}"
