"""SQLAlchemy tables. Importing this package registers every table on `Base.metadata`."""

from kafana.models.audit import AuditEntry
from kafana.models.base import Base
from kafana.models.bots import Bot
from kafana.models.bridges import Bridge, BridgeMessage
from kafana.models.channels import Channel, ChannelMember, SidebarCategory
from kafana.models.email import OutboxMail, PendingEmail, UserToken
from kafana.models.files import Emoji, FileInfo
from kafana.models.integrations import Command, IncomingWebhook, OutgoingWebhook
from kafana.models.invites import Invitation
from kafana.models.jobs import BackgroundJob
from kafana.models.moderation import Report, ReportEvent, Suspension
from kafana.models.notify import GroupMember, PushDelivery, UserGroup, WebPushSubscription
from kafana.models.posts import Post, Reaction, Thread, ThreadMembership
from kafana.models.retention import RetentionPolicy, RetentionPolicyChannel, RetentionPolicyTeam
from kafana.models.search import FileSearch, PostSearch
from kafana.models.sso import SsoState
from kafana.models.system import JobLease, SystemValue
from kafana.models.teams import Team, TeamMember
from kafana.models.users import AccessToken, CustomStatusExpiry, Preference, Presence, Session, Status, User

__all__ = [
    "AccessToken",
    "AuditEntry",
    "BackgroundJob",
    "Base",
    "Bot",
    "Bridge",
    "BridgeMessage",
    "Channel",
    "ChannelMember",
    "Command",
    "CustomStatusExpiry",
    "Emoji",
    "FileInfo",
    "FileSearch",
    "GroupMember",
    "IncomingWebhook",
    "Invitation",
    "JobLease",
    "OutboxMail",
    "OutgoingWebhook",
    "PendingEmail",
    "Post",
    "PostSearch",
    "Preference",
    "Presence",
    "PushDelivery",
    "Reaction",
    "Report",
    "ReportEvent",
    "RetentionPolicy",
    "RetentionPolicyChannel",
    "RetentionPolicyTeam",
    "Session",
    "SidebarCategory",
    "SsoState",
    "Status",
    "Suspension",
    "SystemValue",
    "Team",
    "TeamMember",
    "Thread",
    "ThreadMembership",
    "User",
    "UserGroup",
    "UserToken",
    "WebPushSubscription",
]
