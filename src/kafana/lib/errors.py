"""The one exception type every layer raises; the API turns it into Mattermost's error JSON."""

from __future__ import annotations


class AppError(Exception):
    """An error a client may see. `id` is stable: clients match on it."""

    def __init__(self, status_code: int, id: str, message: str, detailed_error: str = "") -> None:
        super().__init__(message)
        self.status_code = status_code
        self.id = id
        self.message = message
        self.detailed_error = detailed_error


def bad_request(id: str, message: str, detailed: str = "") -> AppError:
    return AppError(400, id, message, detailed)


def invalid_param(name: str) -> AppError:
    return AppError(400, "api.context.invalid_param.app_error", f"Invalid or missing {name} in request body.")


def unauthorized(id: str = "api.context.session_expired.app_error", message: str = "Invalid or expired session, please login again.") -> AppError:
    return AppError(401, id, message)


def forbidden(message: str = "You do not have the appropriate permissions.") -> AppError:
    return AppError(403, "api.context.permissions.app_error", message)


def not_found(what: str) -> AppError:
    """Used for both "missing" and "not yours": existence never leaks."""
    return AppError(404, f"app.{what}.get.app_error", f"Unable to find the {what}.")
