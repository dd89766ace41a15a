"""Query functions. They take a session and never commit: the action's unit of work does."""
