from django.utils.translation import gettext_lazy as _

from yingji.core.tables import Column

PLAN_COLUMNS = [
    Column("title", _("Title"), link=True),
    Column("division.name", _("Division"), sort_key="division"),
    Column("level", _("Plan level")),
    Column("plan_type", _("Plan type")),
    Column("version", _("Version"), sortable=False),
    Column("status", _("Status"), sortable=False),
    Column("filing_number", _("Filing number"), sortable=False),
    Column("review_badge", _("Next review due"), sort_key="next_review"),
]

DRILL_COLUMNS = [
    Column("held_on", _("Date"), link=True),
    Column("plan.title", _("Plan"), sortable=False),
    Column("kind", _("Drill type")),
    Column("participant_count", _("Participants"), sortable=False),
    Column("score", _("Score")),
]
