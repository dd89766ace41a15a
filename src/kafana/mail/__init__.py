"""Email: composing messages (in the reader's language) and handing them to an SMTP server."""
