import {useCallback, useEffect, useMemo, useState} from 'react';
import {client} from '../api/client';
import type {Audit, LiveSetting, Team, User} from '../api/types';
import {useT} from '../i18n/useT';
import {
    auditTarget,
    auditUserIds,
    filterAudits,
    hasRole,
    inviteLink,
    isPendingApproval,
    settingChoices,
    settingValue,
} from '../state/accounts';
import {Dialog, useTimeFormat} from './common';
import {Tabs} from './Tabs';
import {Field, FormError, SaveFooter, useAction, useSubmit} from './forms';
import {ChannelsPage} from '../admin/ChannelsPage';
import {JobsPage} from '../admin/JobsPage';
import {LogsPage} from '../admin/LogsPage';
import {RetentionPage} from '../admin/RetentionPage';
import {SettingsPage} from '../admin/SettingsPage';
import {StatsPage} from '../admin/StatsPage';
import {BridgesPage} from '../integrations/BridgesPage';

const TABS = ['signup', 'users', 'settings', 'retention', 'jobs', 'stats', 'channels', 'logs', 'bridges', 'audit'] as const;
type Tab = (typeof TABS)[number];

/** The system console (system admins only): sign-up and invitations, users, live settings, data retention,
 * jobs, statistics, teams and channels, logs, and the audit log. Loaded on first opening (its own chunk). */
const LEGACY_TABS = new Set<Tab>(['signup', 'users', 'audit']);

export function AdminConsole({onClose}: {onClose: () => void}) {
    const t = useT();
    const [tab, setTab] = useState<Tab>('signup');
    return (
        <Dialog title={t('admin.title')} onClose={onClose} wide>
            <Tabs
                idPrefix="admin"
                label={t('admin.title')}
                tabs={TABS}
                current={tab}
                onSelect={setTab}
                labelOf={(name) => t(LEGACY_TABS.has(name) ? 'admin.tab.' + name : 'console.tab.' + name)}
            >
                {tab === 'signup' && (
                    <>
                        <SignupSettings />
                        <InviteLinks />
                    </>
                )}
                {tab === 'users' && <Users />}
                {tab === 'settings' && <SettingsPage />}
                {tab === 'retention' && <RetentionPage />}
                {tab === 'jobs' && <JobsPage />}
                {tab === 'stats' && <StatsPage />}
                {tab === 'channels' && <ChannelsPage />}
                {tab === 'logs' && <LogsPage />}
                {tab === 'bridges' && <BridgesPage />}
                {tab === 'audit' && <AuditLog />}
            </Tabs>
        </Dialog>
    );
}

/** The live settings `signup_mode` and `invite_permission` (GET/PUT /kafana/settings). */
function SignupSettings() {
    const t = useT();
    const [mode, setMode] = useState('');
    const [invite, setInvite] = useState('');
    const [modes, setModes] = useState<string[]>([]);
    const [inviters, setInviters] = useState<string[]>([]);
    const [saved, setSaved] = useState(false);
    const show = (settings: LiveSetting[]) => {
        setMode(String(settingValue(settings, 'signup_mode')));
        setInvite(String(settingValue(settings, 'invite_permission')));
        setModes(settingChoices(settings, 'signup_mode'));
        setInviters(settingChoices(settings, 'invite_permission'));
    };
    const load = useAction(async () => show(await client.liveSettings()));
    useEffect(() => void load.run(), []);
    const save = useSubmit(async () => {
        setSaved(false);
        show(await client.updateLiveSettings({signup_mode: mode, invite_permission: invite}));
        setSaved(true);
    });
    if (!mode) return <FormError error={load.error} />;
    return (
        <form className="form" onSubmit={save.submit}>
            <fieldset>
                <legend>{t('admin.signupMode')}</legend>
                {modes.map((m) => (
                    <Field check key={m} label={t('admin.mode.' + m)}>
                        <input type="radio" name="signup_mode" value={m} checked={mode === m} onChange={() => (setMode(m), setSaved(false))} />
                    </Field>
                ))}
            </fieldset>
            <Field label={t('admin.whoInvites')}>
                <select value={invite} onChange={(e) => (setInvite(e.target.value), setSaved(false))}>
                    {inviters.map((who) => (
                        <option key={who} value={who}>
                            {t('admin.invite.' + who)}
                        </option>
                    ))}
                </select>
            </Field>
            <SaveFooter error={save.error} saved={saved} busy={save.busy} />
        </form>
    );
}

function InviteLinks() {
    const t = useT();
    const [teams, setTeams] = useState<Team[]>([]);
    const action = useAction(async (regenerate?: Team) => {
        if (regenerate) {
            const fresh = await client.regenerateInviteId(regenerate.id);
            setTeams((all) => all.map((tm) => (tm.id === fresh.id ? fresh : tm)));
        } else setTeams(await client.listTeams());
    });
    useEffect(() => void action.run(), []);
    return (
        <section className="form" aria-labelledby="invite-links-title">
            <h3 id="invite-links-title">{t('admin.inviteLinks')}</h3>
            <p className="muted">{t('admin.inviteLinksHint')}</p>
            {teams.map((tm) => (
                <div key={tm.id} className="invite-link">
                    <Field label={tm.display_name}>
                        <input type="text" readOnly value={tm.invite_id ? inviteLink(location.origin, tm.invite_id) : ''} onFocus={(e) => e.target.select()} />
                    </Field>
                    <button type="button" onClick={() => action.run(tm)} disabled={action.busy} aria-label={t('admin.regenerateNamed', {team: tm.display_name})}>
                        {t('admin.regenerate')}
                    </button>
                </div>
            ))}
            <FormError error={action.error} />
        </section>
    );
}

function Users() {
    const t = useT();
    const [term, setTerm] = useState('');
    const [found, setFound] = useState<User[]>([]);
    const [pending, setPending] = useState<User[]>([]);
    const [notice, setNotice] = useState('');
    const load = useCallback(async () => {
        const [list, inactive] = await Promise.all([term.trim() ? client.searchAllUsers(term.trim()) : client.users(0), client.users(0, {inactive: true})]);
        setFound(list.filter((u) => !isPendingApproval(u)));
        setPending(inactive.filter(isPendingApproval));
    }, [term]);
    const action = useAction(async (work: () => Promise<unknown>, done: string) => {
        setNotice('');
        await work();
        await load();
        setNotice(done);
    });
    useEffect(() => {
        const timer = setTimeout(() => void action.run(async () => undefined, ''), 250);
        return () => clearTimeout(timer);
    }, [load]);
    const row = (u: User) => {
        const active = !u.delete_at;
        const admin = hasRole(u, 'system_admin');
        const guest = hasRole(u, 'system_guest');
        return (
            <li key={u.id} className="admin-user">
                <div>
                    <strong>@{u.username}</strong> <span className="muted">{u.email}</span>
                    {!active && <span className="badge">{t('admin.deactivated')}</span>}
                    {u.mfa_active && <span className="badge">{t('admin.mfaOn')}</span>}
                </div>
                <div className="row wrap">
                    {guest ? (
                        <span className="muted">{t('admin.role.guest')}</span>
                    ) : (
                        <select
                            aria-label={t('admin.roleOf', {name: u.username})}
                            value={admin ? 'admin' : 'member'}
                            onChange={(e) =>
                                action.run(() => client.updateRoles(u.id, e.target.value === 'admin' ? 'system_user system_admin' : 'system_user'), t('admin.done.roles', {name: u.username}))
                            }
                        >
                            <option value="member">{t('admin.role.member')}</option>
                            <option value="admin">{t('admin.role.admin')}</option>
                        </select>
                    )}
                    <button type="button" onClick={() => action.run(() => client.setActive(u.id, !active), t(active ? 'admin.done.deactivated' : 'admin.done.activated', {name: u.username}))}>
                        {t(active ? 'admin.deactivate' : 'admin.reactivate')}
                    </button>
                    {u.mfa_active && (
                        <button type="button" onClick={() => action.run(() => client.deactivateMfa(u.id), t('admin.done.mfaReset', {name: u.username}))}>
                            {t('admin.resetMfa')}
                        </button>
                    )}
                    <button type="button" onClick={() => action.run(() => client.revokeAllSessions(u.id), t('admin.done.sessions', {name: u.username}))}>
                        {t('admin.revokeSessions')}
                    </button>
                </div>
            </li>
        );
    };
    return (
        <div className="form">
            {pending.length > 0 && (
                <section aria-labelledby="approval-title">
                    <h3 id="approval-title">{t('admin.approvalQueue')}</h3>
                    <ul className="admin-users">
                        {pending.map((u) => (
                            <li key={u.id} className="admin-user row spread">
                                <span>
                                    <strong>@{u.username}</strong> <span className="muted">{u.email}</span>
                                </span>
                                <button type="button" className="primary" onClick={() => action.run(() => client.setActive(u.id, true), t('admin.done.approved', {name: u.username}))}>
                                    {t('admin.approve')}
                                </button>
                            </li>
                        ))}
                    </ul>
                </section>
            )}
            <input type="search" aria-label={t('admin.searchUsers')} placeholder={t('admin.searchUsers')} value={term} onChange={(e) => setTerm(e.target.value)} />
            <FormError error={action.error} />
            {notice && <p role="status">{notice}</p>}
            <ul className="admin-users">{found.map(row)}</ul>
        </div>
    );
}

function AuditLog() {
    const t = useT();
    const when = useTimeFormat();
    const [entries, setEntries] = useState<Audit[]>([]);
    const [names, setNames] = useState<Record<string, string>>({});
    const [filter, setFilter] = useState('');
    const load = useAction(async () => {
        const found = await client.audits(0);
        setEntries(found);
        const ids = auditUserIds(found);
        if (ids.length) setNames(Object.fromEntries((await client.usersByIds(ids)).map((u) => [u.id, u.username])));
    });
    useEffect(() => void load.run(), []);
    const shown = useMemo(() => filterAudits(entries, filter, names), [entries, filter, names]);
    const who = (id: string) => (id ? '@' + (names[id] ?? id) : '—');
    return (
        <div className="form">
            <div className="row spread">
                <input type="search" aria-label={t('admin.auditFilter')} placeholder={t('admin.auditFilter')} value={filter} onChange={(e) => setFilter(e.target.value)} />
                <a className="button" href="/api/v4/kafana/audits/export" download>
                    {t('admin.auditExport')}
                </a>
            </div>
            <FormError error={load.error} />
            <table className="audit-log">
                <caption className="visually-hidden">{t('admin.tab.audit')}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t('admin.auditWhen')}</th>
                        <th scope="col">{t('admin.auditWho')}</th>
                        <th scope="col">{t('admin.auditAction')}</th>
                        <th scope="col">{t('admin.auditTarget')}</th>
                        <th scope="col">{t('admin.auditAddress')}</th>
                    </tr>
                </thead>
                <tbody>
                    {shown.map((a) => (
                        <tr key={a.id}>
                            <td>{when.full(a.create_at)}</td>
                            <td>{who(a.user_id)}</td>
                            <td>
                                <code>{a.action}</code>
                            </td>
                            <td>{who(auditTarget(a))}</td>
                            <td>{a.ip_address}</td>
                        </tr>
                    ))}
                </tbody>
            </table>
            {entries.length > 0 && shown.length === 0 && <p className="muted">{t('admin.auditNone')}</p>}
        </div>
    );
}
