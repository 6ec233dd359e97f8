"""Inspections and enforcement (执法检查). Each part's models live in models_<part>.py:
checklists, inspections and QR check-ins; enforcement (orders, re-inspections, penalties,
documents); annual plans and random draws."""

from yingji.inspections.models_checklists import *  # noqa: F403
from yingji.inspections.models_enforcement import *  # noqa: F403
from yingji.inspections.models_plans import *  # noqa: F403
