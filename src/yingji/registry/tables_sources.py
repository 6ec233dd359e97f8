from django.utils.translation import gettext_lazy as _

from yingji.core.tables import Column

SOURCE_COLUMNS = [
    Column("name", _("Name"), link=True),
    Column("enterprise.name", _("Enterprise"), sort_key="enterprise__name"),
    Column("division.name", _("Division"), sort_key="division"),
    Column("category", _("Category")),
    Column("kind", _("Unit kind"), sortable=False),
    Column("major_label", _("Major hazard source"), sort_key="is_major"),
    Column("grade_badge", _("Grade"), sort_key="grade"),
    Column("sum_q_over_q", _("S = Σ q/Q")),
    Column("r_value", _("R")),
]
