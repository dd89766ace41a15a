"""Pure helpers: no I/O, no imports from the rest of Kafana."""
