"""Liveness, the client configuration, the licence stub and roles: what a client reads before login."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana import MATTERMOST_VERSION, __version__
from kafana.actions.context import Services
from kafana.actions.sso import openid_button_text, openid_slot
from kafana.api.body import read_json
from kafana.api.deps import ActorDep, ServicesDep
from kafana.api.responses import JSON
from kafana.lib import push_payloads
from kafana.lib.errors import invalid_param, not_found
from kafana.lib.ids import stable_id
from kafana.lib.permissions import ROLE_DISPLAY, ROLES

router = APIRouter()


@router.get("/system/ping")
async def ping(svc: ServicesDep, device_id: str = "") -> JSON:
    body = {
        "status": "OK",
        "ActiveSearchBackend": "database",
        "AndroidLatestVersion": "",
        "AndroidMinVersion": "",
        "DesktopLatestVersion": "",
        "DesktopMinVersion": "",
        "IosLatestVersion": "",
        "IosMinVersion": "",
    }
    if device_id:
        body["CanReceiveNotifications"] = "true" if svc.settings.push_proxy_url else "unknown"
    return JSON(body)


def client_config(svc: Services) -> dict[str, str]:
    """config/client?format=old: every value a string (the mobile app compares strings)."""
    s = svc.settings
    values: dict[str, object] = {
        "Version": MATTERMOST_VERSION,
        "BuildNumber": __version__,
        "BuildDate": "",
        "BuildHash": "kafana",
        "BuildHashEnterprise": "none",
        "BuildEnterpriseReady": False,
        "DiagnosticId": svc.diagnostic_id,
        "DiagnosticsEnabled": False,
        "SiteURL": s.site_url,
        "SiteName": s.site_name,
        "WebsocketURL": "",
        "WebsocketPort": 80,
        "WebsocketSecurePort": 443,
        "EnableReliableWebSockets": True,
        "EnableSignUpWithEmail": s.signup_mode != "closed",
        "EnableSignInWithEmail": True,
        "EnableSignInWithUsername": True,
        "EnableOpenServer": s.signup_mode == "open",
        "EnableUserCreation": s.signup_mode != "closed",
        "EnableLdap": False,
        "EnableSaml": False,
        "EnableSignUpWithGitLab": False,
        "EnableSignUpWithGoogle": False,
        "EnableSignUpWithOffice365": False,
        "EnableSignUpWithOpenId": bool(openid_slot(svc)),
        "OpenIdButtonText": openid_button_text(svc),
        "OpenIdButtonColor": "#145DBF",
        "EnableGuestMagicLink": False,
        "EnableGuestAccounts": s.guest_accounts_enabled,
        "PasswordEnableForgotLink": False,
        "ForgotPasswordLink": "",
        "LdapLoginFieldName": "",
        "MobileJailbreakProtection": False,
        "MobileEnableBiometrics": False,
        "EnableMultifactorAuthentication": s.mfa_enabled,
        "EnforceMultifactorAuthentication": s.mfa_enforced,
        "EnableUserAccessTokens": s.enable_personal_access_tokens,
        "CollapsedThreads": "default_off",
        "TeammateNameDisplay": "username",
        "LockTeammateNameDisplay": False,
        "EnableCustomEmoji": True,
        "EnableFileAttachments": True,
        "EnableMobileFileUpload": True,
        "EnableMobileFileDownload": True,
        "MaxFileSize": s.max_file_size,
        "MaxPostSize": 16383,
        "MaxNotificationsPerChannel": 1000,
        "AllowEditPost": "always",
        "PostEditTimeLimit": -1,
        "EnableUserTypingMessages": True,
        "TimeBetweenUserTypingUpdatesMilliseconds": 5000,
        "EnableLinkPreviews": s.enable_link_previews,
        "EnablePermalinkPreviews": True,
        "EnablePublicLink": s.enable_public_links,
        "HasImageProxy": s.enable_image_proxy,
        "EnableCustomUserStatuses": True,
        "EnableLastActiveTime": True,
        "ExperimentalViewArchivedChannels": True,
        "ExperimentalTownSquareIsReadOnly": False,
        "ExperimentalEnableAutomaticReplies": False,
        "RestrictDirectMessage": "any",
        "SendPushNotifications": bool(s.push_proxy_url),
        "ShowFullName": True,
        "ShowEmailAddress": False,
        "AsymmetricSigningPublicKey": push_payloads.public_key_b64(svc.push_signing_key) if svc.push_signing_key else "",
        "ScheduledPosts": False,
        "PostPriority": False,
        "EnableCustomTermsOfService": False,
        "TermsOfServiceLink": "",
        "PrivacyPolicyLink": "",
        "AboutLink": "",
        "HelpLink": "",
        "ReportAProblemLink": "",
        "SupportEmail": "",
        "DefaultClientLocale": "en",
        "AvailableLocales": "",
        "EnableChannelViewedMessages": True,
        "EnableEmailBatching": False,
        "EnableCommands": s.enable_commands,
        "EnableIncomingWebhooks": s.enable_incoming_webhooks,
        "EnableOutgoingWebhooks": s.enable_outgoing_webhooks,
        "EnableOnlyAdminIntegrations": True,
        "EnablePostUsernameOverride": s.enable_post_username_override,
        "EnablePostIconOverride": s.enable_post_icon_override,
        "EnableBotAccountCreation": s.bot_creation != "off",
        "EnableSVGs": False,
        "EnableLatex": False,
        "EnableInlineLatex": False,
        "EnableDeveloper": False,
        "EnableTesting": False,
        "EnableDiagnostics": False,
        "ExtendSessionLengthWithActivity": False,
        "FeatureFlagCollapsedThreads": True,
        "IsDefaultMarketplace": False,
        "PluginsEnabled": False,
        "RunJobs": True,
        "TelemetryId": svc.diagnostic_id,
        "NoAccounts": False,
        "DataRetentionEnableMessageDeletion": False,
        "DataRetentionEnableFileDeletion": False,
        "KafanaCodeOfConductLink": s.code_of_conduct_url,
        "KafanaModerationPublicLog": s.moderation_public_log,
        # Who may create bots (admins, members, off): the web client offers bot accounts only to them.
        "KafanaBotCreation": s.bot_creation,
    }
    return {k: (("true" if v else "false") if isinstance(v, bool) else str(v)) for k, v in values.items()}


@router.get("/config/client")
async def get_client_config(svc: ServicesDep, format: str = "old") -> JSON:
    return JSON(client_config(svc))


@router.get("/license/client")
async def get_client_license(format: str = "old") -> JSON:
    return JSON({"IsLicensed": "false", "IsTrial": "false", "SkuName": "", "SkuShortName": ""})


# Mattermost's role ids are ordinary 26-character ids (clients validate them); built-in roles get stable ones.
ROLE_IDS = {name: stable_id("role:" + name) for name in ROLES}
ROLE_BY_ID = {role_id: name for name, role_id in ROLE_IDS.items()}


def role_to_api(name: str) -> dict[str, object]:
    return {
        "id": ROLE_IDS[name],
        "name": name,
        "display_name": ROLE_DISPLAY.get(name, name),
        "description": "",
        "create_at": 0,
        "update_at": 0,
        "delete_at": 0,
        "permissions": sorted(ROLES[name]),
        "scheme_managed": True,
        "built_in": True,
    }


@router.post("/roles/names")
async def get_roles_by_names(request: Request, actor: ActorDep) -> JSON:
    names = await read_json(request)
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or len(names) > 100:
        raise invalid_param("role_names")
    return JSON([role_to_api(n) for n in dict.fromkeys(names) if n in ROLES])


@router.get("/roles/name/{name}")
async def get_role_by_name(name: str, actor: ActorDep) -> JSON:
    if name not in ROLES:
        raise not_found("role")
    return JSON(role_to_api(name))


@router.get("/roles/{role_id}")
async def get_role(role_id: str, actor: ActorDep) -> JSON:
    if role_id not in ROLE_BY_ID:
        raise not_found("role")
    return JSON(role_to_api(ROLE_BY_ID[role_id]))


@router.get("/roles")
async def get_all_roles(actor: ActorDep) -> JSON:
    return JSON([role_to_api(n) for n in ROLES])


def root_response() -> Response:
    return Response(b"", status_code=200, media_type="text/html")
