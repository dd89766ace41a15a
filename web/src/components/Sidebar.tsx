import {useMemo} from 'react';
import type {Channel} from '../api/types';
import {useT} from '../i18n/useT';
import {channelTitle, directUserIds, isMuted, mentionCount, sidebarSections, unreadCount} from '../state/channels';
import {hasRole} from '../state/accounts';
import {useStore} from '../state/store';
import {navigate} from '../router';
import {CustomStatusEmoji, PresenceDot} from './common';
import {StatusMenu} from './StatusMenu';
import {isModerator} from '../moderation/api';
import {useIntegrationSections} from '../integrations/access';
import {useIntl} from 'react-intl';

export function channelPath(teamName: string, channel: Channel, meId: string, usernameOf: (id: string) => string | undefined): string {
    if (channel.type === 'D') {
        const username = usernameOf(directUserIds(channel, meId)[0]);
        if (username) return `/${teamName}/messages/@${username}`;
    }
    if (channel.type === 'D' || channel.type === 'G') return `/${teamName}/messages/${channel.name}`;
    return `/${teamName}/channels/${channel.name}`;
}

/** Channels in sidebar order (for Alt+↑/↓ and the switcher). */
export function useSidebarChannels(): Channel[] {
    const sections = useSections();
    return sections.flatMap((s) => s.channels);
}

function useSections() {
    const intl = useIntl();
    const channels = useStore((s) => s.channels);
    const prefs = useStore((s) => s.prefs);
    const users = useStore((s) => s.users);
    const meId = useStore((s) => s.me?.id ?? '');
    const teamId = useStore((s) => s.teamId);
    return useMemo(() => {
        const favorites = new Set(Object.keys(prefs).filter((k) => k.startsWith('favorite_channel:') && prefs[k] === 'true').map((k) => k.slice('favorite_channel:'.length)));
        const mine = Object.values(channels).filter((c) => c.team_id === teamId || c.team_id === '');
        return sidebarSections(mine, favorites, meId, users, intl.locale);
    }, [channels, prefs, users, meId, teamId, intl.locale]);
}

interface SidebarProps {
    currentChannelId: string;
    view: 'channel' | 'threads' | 'integrations';
    onAction: (action: 'browse' | 'create' | 'direct' | 'settings' | 'switcher' | 'createTeam' | 'admin' | 'logout') => void;
}

export function Sidebar({currentChannelId, view, onAction}: SidebarProps) {
    const t = useT();
    const sections = useSections();
    const teams = useStore((s) => s.teams);
    const teamId = useStore((s) => s.teamId);
    const members = useStore((s) => s.members);
    const users = useStore((s) => s.users);
    const statuses = useStore((s) => s.statuses);
    const me = useStore((s) => s.me!);
    const threadsUnread = useStore((s) => s.threads.filter((th) => th.unread_replies > 0).length);
    const team = teams.find((tm) => tm.id === teamId);
    const integrations = useIntegrationSections(teamId);
    const usernameOf = (id: string) => users[id]?.username;

    return (
        <nav className="sidebar" aria-label={t('sidebar.label')}>
            <ul className="team-rail" aria-label={t('sidebar.teams')}>
                {teams.map((tm) => (
                    <li key={tm.id}>
                        <a
                            href={`/${tm.name}/channels/town-square`}
                            className={tm.id === teamId ? 'team-tile active' : 'team-tile'}
                            aria-current={tm.id === teamId ? 'true' : undefined}
                            title={tm.display_name}
                            onClick={(e) => (e.preventDefault(), navigate(`/${tm.name}/channels/town-square`))}
                        >
                            <span aria-hidden="true">{tm.display_name.slice(0, 2)}</span>
                            <span className="visually-hidden">{tm.display_name}</span>
                        </a>
                    </li>
                ))}
                <li>
                    <button type="button" className="team-tile add" title={t('team.create')} aria-label={t('team.create')} onClick={() => onAction('createTeam')}>
                        +
                    </button>
                </li>
            </ul>
            <div className="channel-nav">
                <div className="sidebar-head">
                    <h2 className="team-name">{team?.display_name}</h2>
                    <StatusMenu />
                </div>
                <button type="button" className="switcher-button" onClick={() => onAction('switcher')}>
                    {t('switcher.open')} <kbd>Ctrl K</kbd>
                </button>
                <ul className="nav-list">
                    <li>
                        <a
                            href={`/${team?.name}/threads`}
                            className={view === 'threads' ? 'nav-item active' : threadsUnread ? 'nav-item unread' : 'nav-item'}
                            aria-current={view === 'threads' ? 'page' : undefined}
                            onClick={(e) => (e.preventDefault(), navigate(`/${team?.name}/threads`))}
                        >
                            <span className="nav-icon" aria-hidden="true">
                                ⌗
                            </span>
                            <span className="nav-label">{t('threads.title')}</span>
                        </a>
                    </li>
                    {integrations && integrations.length > 0 && (
                        <li>
                            <a
                                href={`/${team?.name}/integrations`}
                                className={view === 'integrations' ? 'nav-item active' : 'nav-item'}
                                aria-current={view === 'integrations' ? 'page' : undefined}
                                onClick={(e) => (e.preventDefault(), navigate(`/${team?.name}/integrations`))}
                            >
                                <span className="nav-icon" aria-hidden="true">
                                    ⚙
                                </span>
                                <span className="nav-label">{t('integrations.title')}</span>
                            </a>
                        </li>
                    )}
                    {isModerator(me) && (
                        <li>
                            <a href={`/${team?.name}/moderation`} className="nav-item" onClick={(e) => (e.preventDefault(), navigate(`/${team?.name}/moderation`))}>
                                <span className="nav-icon" aria-hidden="true">
                                    ⚑
                                </span>
                                <span className="nav-label">{t('mod.title')}</span>
                            </a>
                        </li>
                    )}
                </ul>
                {sections.map((section) => (
                    <section key={section.key} className="nav-section" aria-labelledby={'section-' + section.key}>
                        <div className="section-head">
                            <h3 id={'section-' + section.key}>{t('sidebar.' + section.key)}</h3>
                            {section.key === 'channels' && (
                                <span className="section-actions">
                                    <button type="button" className="icon-button small" aria-label={t('channel.browse')} title={t('channel.browse')} onClick={() => onAction('browse')}>
                                        ⌕
                                    </button>
                                    <button type="button" className="icon-button small" aria-label={t('channel.create')} title={t('channel.create')} onClick={() => onAction('create')}>
                                        +
                                    </button>
                                </span>
                            )}
                            {section.key === 'direct' && (
                                <button type="button" className="icon-button small" aria-label={t('direct.start')} title={t('direct.start')} onClick={() => onAction('direct')}>
                                    +
                                </button>
                            )}
                        </div>
                        <ul className="nav-list">
                            {section.channels.map((c) => {
                                const member = members[c.id];
                                const unread = c.id !== currentChannelId && unreadCount(c, member) > 0;
                                const mentions = c.id === currentChannelId ? 0 : mentionCount(member);
                                const muted = isMuted(member);
                                const otherId = c.type === 'D' ? directUserIds(c, me.id)[0] : '';
                                const title = channelTitle(c, me.id, users);
                                const classes = ['nav-item'];
                                if (c.id === currentChannelId && view === 'channel') classes.push('active');
                                if (unread && !muted) classes.push('unread');
                                if (muted) classes.push('muted-channel');
                                if (c.delete_at) classes.push('archived');
                                const path = team ? channelPath(team.name, c, me.id, usernameOf) : '/';
                                return (
                                    <li key={c.id}>
                                        <a
                                            href={path}
                                            className={classes.join(' ')}
                                            aria-current={c.id === currentChannelId && view === 'channel' ? 'page' : undefined}
                                            onClick={(e) => (e.preventDefault(), navigate(path))}
                                        >
                                            <span className="nav-icon" aria-hidden="true">
                                                {otherId ? <PresenceDot status={statuses[otherId] ?? 'offline'} label="" /> : c.type === 'P' ? '🔒' : c.type === 'G' ? '👥' : '#'}
                                            </span>
                                            <span className="nav-label">{title}</span>
                                            {otherId && <CustomStatusEmoji userId={otherId} />}
                                            {unread && !muted && <span className="visually-hidden">{t('sidebar.unread')}</span>}
                                            {mentions > 0 && (
                                                <span className="mention-badge" aria-label={t('sidebar.mentions', {count: mentions})}>
                                                    {mentions}
                                                </span>
                                            )}
                                        </a>
                                    </li>
                                );
                            })}
                        </ul>
                    </section>
                ))}
            </div>
            <div className="sidebar-foot">
                <button type="button" className="link-button" onClick={() => onAction('settings')}>
                    {t('settings.title')}
                </button>
                {hasRole(me, 'system_admin') && (
                    <button type="button" className="link-button" onClick={() => onAction('admin')}>
                        {t('admin.title')}
                    </button>
                )}
                <button type="button" className="link-button" onClick={() => onAction('logout')}>
                    {t('logout')}
                </button>
            </div>
        </nav>
    );
}
