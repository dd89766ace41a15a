"""Outgoing fetches for link previews and the image proxy: SSRF-safe HTTP and OpenGraph parsing."""
