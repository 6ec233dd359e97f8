"""Incidents: intake and grading, disaster reports (初报/续报/核报), response and dispatch. Each
part's models live in models_<part>.py."""

from yingji.incidents.models_incidents import *  # noqa: F403
from yingji.incidents.models_reports import *  # noqa: F403
from yingji.incidents.models_response import *  # noqa: F403
