"""Use cases. `check_*` authorizes and validates, `do_*` writes, `notify_*` builds events.

Every caller (HTTP, CLI, bridges, jobs) goes through here, so each gets the same checks and events.
"""
