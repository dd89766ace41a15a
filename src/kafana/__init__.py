"""Kafana: a self-hosted team chat server that speaks the Mattermost API v4."""

__version__ = "0.1.0"

# The Mattermost server version Kafana claims on the wire. The mobile app warns below 10.11.0.
MATTERMOST_VERSION = "10.11.0"
