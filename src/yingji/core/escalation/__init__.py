"""Deadlines and escalation ladders shared by every closed loop (see ARCHITECTURE.md, "Closed loops").

`models` holds the rows, `rules` the pure timing, `services` the verbs and the periodic pass.
Apps plug in by registering a handler per action name (`services.register_action`).
"""
