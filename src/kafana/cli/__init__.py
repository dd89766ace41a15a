"""The `kafana` command. Every command goes through actions, like the HTTP API."""
