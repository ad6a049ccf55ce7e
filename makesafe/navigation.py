"""Navigation: the main bar's links for the signed-in user's role, and the More page's."""

from django.urls import reverse

from common.navigation import NavLink

# (label, URL name, permission, key that marks it active): the main bar, short enough to fit on
# one line of a 1366-pixel laptop screen whatever the role.
_NAV = [
    ("Visits", "visits:list", "visits.view_visit", "visits"),
    ("Operations", "visits:operation_list", "visits.view_operation", "operations"),
    ("Premises", "premises:list", "premises.view_premises", "premises"),
    ("Reports", "reports:dashboard", "visits.view_reports", "reports"),
    ("Work queue", "training:queue", "training.schedule_training", "queue"),
    ("Training", "training:session_list", "training.view_trainingsession", "training"),
    ("Notices", "training:notice_list", "training.view_notice", "notices"),
]
# Everything else a role may do, on the "More" page: (label, URL name, permission, description).
MORE = [
    ("Cadets", "visits:participant_list", "visits.manage_participant",
     "Pseudonymous cadet codes, age bands and parental permission."),
    ("Scenario scripts", "visits:scenario_list", "visits.manage_scenario",
     "The scripts teams play out, in versions."),
    ("National scenario library", "visits:library", "visits.manage_scenario",
     "Scripts published for every force: adopt one, or a newer revision of one."),
    ("Import historical visits", "visits:import", "visits.import_visit",
     "Bring in past visits from a CSV file."),
    ("Import premises", "premises:import", "premises.import_premises",
     "Add or update premises from a CSV file."),
    ("Towns", "premises:town_list", "premises.change_town", "The force's towns."),
    ("Operators and chains", "premises:operator_list", "premises.view_operator",
     "The companies and brands behind premises, across towns; merge duplicates."),
    ("Users", "accounts:user_list", "accounts.view_user", "People of the force and their roles."),
    ("Locked sign-ins", "accounts:lockouts", "accounts.change_user",
     "Unlock usernames after failed sign-ins."),
    ("Audit log", "audit:log", "audit.view_audit", "Who viewed, disclosed and erased records."),
    ("Retention review", "retention:queue", "retention.review_retention",
     "Records past their review date: retain or dispose."),
    ("Force settings", "accounts:force_settings", "accounts.change_force",
     "Follow-up periods, retention period and the training contact."),
]  # fmt: skip
_ACTIVE_BY_PREFIX = [
    ("premises:town_", "more"),
    ("premises:import", "more"),
    ("accounts:", "more"),
    ("visits:import", "more"),
    ("visits:operation_", "operations"),
    ("visits:participant_", "more"),
    ("visits:scenario_", "more"),
    ("visits:library", "more"),
    ("visits:", "visits"),
    ("premises:", "premises"),
    ("training:queue", "queue"),
    ("training:assign", "queue"),
    ("training:notice_", "notices"),
    ("training:request_", "notices"),
    ("training:letter", "visits"),
    ("training:", "training"),
    ("reports:", "reports"),
    ("audit:log", "more"),
    ("audit:history", "more"),
    ("retention:", "more"),
    ("more", "more"),
]


# A national coordinator's bar: the national pages only (no force, so no record page).
_NATIONAL_NAV = [
    ("National figures", "reports:national", "reports.view_national_reports", "national"),
    ("Press summary", "reports:national_press", "reports.view_national_reports", "press"),
    (
        "Scenario library",
        "visits:national_scenario_list",
        "visits.publish_national_scenario",
        "library",
    ),
]


def navigation(request):
    """Context processor: `nav_links`, the main bar for the user's role, the current section
    marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match is not None else ""
    if user.is_national_coordinator:
        current = "press" if view_name == "reports:national_press" else ""
        if not current and view_name.startswith("reports:national"):
            current = "national"
        if view_name.startswith("visits:national_scenario"):
            current = "library"
        entries = [(label, name, key) for label, name, perm, key in _NATIONAL_NAV
                   if user.has_perm(perm)]  # fmt: skip
        entries.append(("More", "more", "more"))
        if view_name == "more":
            current = "more"
        return {
            "nav_links": [
                NavLink(label, reverse(name), key, key == current) for label, name, key in entries
            ]
        }
    if not user.force_id:
        return {"nav_links": []}
    current = next((key for prefix, key in _ACTIVE_BY_PREFIX if view_name.startswith(prefix)), "")
    entries = [(label, name, key) for label, name, perm, key in _NAV if user.has_perm(perm)]
    entries.append(("More", "more", "more"))
    return {
        "nav_links": [
            NavLink(label, reverse(name), key, key == current) for label, name, key in entries
        ]
    }
