// Pure helpers for the account screens: sign-up links, sessions, the sign-up settings and the audit log.
import type {Audit, LiveSetting, Session, User} from '../api/types';

/** The server's answer when a password was right but the account needs its two-factor code. */
export const MFA_NEEDED = 'mfa.validate_token.authenticate.app_error';
/** MFA is enforced and this account has none yet: only setting it up is allowed. */
export const MFA_SETUP_NEEDED = 'api.context.mfa_required.app_error';


/** Mattermost's sign-up links: `/signup_user_complete/?id=<team invite id>` or `?t=<email invitation token>`. */
export function inviteParams(search: string): {iid?: string; t?: string} {
    const q = new URLSearchParams(search);
    const iid = q.get('id') ?? undefined;
    const t = q.get('t') ?? undefined;
    return t ? {t} : iid ? {iid} : {};
}

/** The team invite link people are given. */
export function inviteLink(origin: string, inviteId: string): string {
    return `${origin}/signup_user_complete/?id=${encodeURIComponent(inviteId)}`;
}

/** Browser and system from the session's props ("Firefox/128.0" → "Firefox 128"), or null when unknown. */
export function sessionDevice(session: Session): {browser: string; os: string} | null {
    const {browser = '', os = ''} = session.props ?? {};
    if (!browser && !os) return null;
    const [name, version = ''] = browser.split('/');
    return {browser: [name, version.split('.')[0]].filter(Boolean).join(' '), os};
}

export function isCurrentSession(session: Session): boolean {
    return session.props?.kafana_current === 'true';
}

/** Newest activity first, the current session on top. */
export function sortSessions(sessions: Session[]): Session[] {
    return [...sessions].sort((a, b) => Number(isCurrentSession(b)) - Number(isCurrentSession(a)) || b.last_activity_at - a.last_activity_at);
}

/** A live setting's current value by name, or undefined when the server has no such setting. */
export function settingValue(settings: LiveSetting[], name: string): unknown {
    return settings.find((s) => s.name === name)?.value;
}

/** The choices a live setting offers (empty when it has none). */
export function settingChoices(settings: LiveSetting[], name: string): string[] {
    return settings.find((s) => s.name === name)?.choices ?? [];
}

export function hasRole(user: User, role: string): boolean {
    return user.roles.split(' ').includes(role);
}

export function isPendingApproval(user: User): boolean {
    return user.props?.kafana_approval_pending === 'true';
}

/** Entries whose action, acting user, target or details contain the text (case-insensitive). */
export function filterAudits(audits: Audit[], text: string, usernames: Record<string, string>): Audit[] {
    const needle = text.trim().toLowerCase();
    if (!needle) return audits;
    return audits.filter((a) => [a.action, usernames[a.user_id] ?? a.user_id, a.extra_info, a.ip_address].some((v) => v.toLowerCase().includes(needle)));
}

/** The user ids an audit entry names (actor and target), to fetch their usernames. */
export function auditUserIds(audits: Audit[]): string[] {
    const ids = new Set<string>();
    for (const a of audits) {
        if (a.user_id) ids.add(a.user_id);
        const target = auditTarget(a);
        if (target) ids.add(target);
    }
    return [...ids];
}

export function auditTarget(audit: Audit): string {
    try {
        const extra = audit.extra_info ? (JSON.parse(audit.extra_info) as Record<string, unknown>) : {};
        return typeof extra.target_id === 'string' ? extra.target_id : '';
    } catch {
        return '';
    }
}
