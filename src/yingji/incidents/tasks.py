"""Periodic tasks of the incidents app (Huey imports each app's `tasks` module): disaster reports'
deadlines (tasks_reports)."""

from yingji.incidents import tasks_reports  # noqa: F401 - registers the periodic tasks
