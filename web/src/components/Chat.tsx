import {lazy, Suspense, useCallback, useEffect, useState} from 'react';
import {ApiError, client} from '../api/client';
import type {Post, User} from '../api/types';
import {useT} from '../i18n/useT';
import {channelByName, closeChannel, logout, openChannel, openPermalink, selectTeam, start, upsertChannel} from '../state/actions';
import {pref, update, useStore} from '../state/store';
import {navigate, parseRoute, usePath} from '../router';
import {ChannelView, ThreadPanel, ThreadsView} from './ChannelView';
import {BrowseChannels, ChannelSwitcher, CreateChannel, DirectMessage, TeamPicker} from './Dialogs';
import {ProfilePopover} from './ProfilePopover';
import {isModerator} from '../moderation/api';
import {SearchPanel} from './SearchPanel';
import {closePanel, usePanel} from '../search/panel';
import {Settings} from './Settings';
import {channelPath, Sidebar, useSidebarChannels} from './Sidebar';

// Screens few people open load when first opened, keeping the first screen's JavaScript small (bench/web.py).
const AdminConsole = lazy(() => import('./Admin').then((m) => ({default: m.AdminConsole})));
const IntegrationsPage = lazy(() => import('../integrations/IntegrationsPage').then((m) => ({default: m.IntegrationsPage})));
const ModerationPage = lazy(() => import('../moderation/ModerationPage').then((m) => ({default: m.ModerationPage})));

type Modal = 'browse' | 'create' | 'direct' | 'settings' | 'switcher' | 'createTeam' | 'admin' | null;

export function Chat({me, onSignedOut}: {me: User; onSignedOut: () => void}) {
    const t = useT();
    const route = parseRoute(usePath());
    const started = useStore((s) => s.me?.id === me.id);
    const teams = useStore((s) => s.teams);
    const teamId = useStore((s) => s.teamId);
    const channels = useStore((s) => s.channels);
    const users = useStore((s) => s.users);
    const connection = useStore((s) => s.connection);
    const ordered = useSidebarChannels();
    const [ready, setReady] = useState(false);
    const [channelId, setChannelId] = useState('');
    const [threadId, setThreadId] = useState('');
    const [modal, setModal] = useState<Modal>(null);
    const [drawer, setDrawer] = useState(false);
    const [notFound, setNotFound] = useState(false);
    const openThread = useCallback((p: Post) => setThreadId(p.id), []);
    const panel = usePanel();
    useTheme();

    useEffect(() => {
        start(me).then(() => setReady(true));
    }, [me]);

    const teamName = 'team' in route ? route.team : '';
    const team = teams.find((tm) => tm.name === teamName);

    // The team in the URL, or the first one.
    useEffect(() => {
        if (!ready) return;
        if (!teams.length) return;
        if (!team) {
            navigate(`/${teams[0].name}/channels/town-square`, true);
            return;
        }
        void selectTeam(team.id);
    }, [ready, teams, team]);

    // The channel in the URL: a held channel, a public one to join, a DM to open, or a permalink's channel.
    const channelsLoaded = teamId === team?.id && Object.keys(channels).length > 0;
    const routeKey = JSON.stringify(route);
    useEffect(() => {
        if (!channelsLoaded || !team) return;
        let live = true;
        setNotFound(false);
        const show = (id: string) => {
            if (!live) return;
            setChannelId(id);
            setDrawer(false);
            void openChannel(id);
        };
        const resolve = async () => {
            if (route.kind === 'channel') {
                const held = channelByName(route.channel);
                if (held) return show(held.id);
                const c = await client.channelByName(team.name, route.channel);
                const member = c.type === 'O' ? await client.joinChannel(c.id, me.id) : undefined;
                await upsertChannel(c, member);
                return show(c.id);
            }
            if (route.kind === 'dm') {
                const other = Object.values(users).find((u) => u.username === route.username) ?? (await client.userByUsername(route.username));
                const c = await client.directChannel(me.id, other.id);
                await upsertChannel(c);
                update((s) => ({users: {...s.users, [other.id]: other}}));
                return show(c.id);
            }
            if (route.kind === 'permalink') {
                const post = await openPermalink(route.postId);
                let c = channels[post.channel_id];
                if (!c) {
                    c = await client.channel(post.channel_id);
                    await upsertChannel(c);
                }
                if (post.root_id) setThreadId(post.root_id);
                navigate(channelPath(team.name, c, me.id, (id) => users[id]?.username), true);
                return;
            }
            if (route.kind === 'threads' || route.kind === 'moderation' || route.kind === 'integrations') {
                closeChannel();
                setChannelId('');
                setDrawer(false);
                if (route.kind === 'threads' && route.threadId) setThreadId(route.threadId);
                return;
            }
            navigate(`/${team.name}/channels/town-square`, true);
        };
        resolve().catch((err) => {
            if (!live) return;
            if (err instanceof ApiError && (err.status === 404 || err.status === 403)) setNotFound(true);
        });
        return () => {
            live = false;
        };
        // routeKey stands for the route's contents
    }, [channelsLoaded, team?.id, routeKey]);

    // Keyboard: Ctrl/Cmd+K switcher, Alt+↑/↓ previous/next channel, Esc closes the open panel.
    const move = useCallback(
        (step: number) => {
            if (!team || !ordered.length) return;
            const i = ordered.findIndex((c) => c.id === channelId);
            const next = ordered[(i + step + ordered.length) % ordered.length];
            navigate(channelPath(team.name, next, me.id, (id) => users[id]?.username));
        },
        [team, ordered, channelId, me.id, users],
    );
    useEffect(() => {
        const onKey = (e: KeyboardEvent) => {
            if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
                e.preventDefault();
                setModal('switcher');
            } else if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
                e.preventDefault();
                move(e.key === 'ArrowUp' ? -1 : 1);
            } else if (e.key === 'Escape' && !e.defaultPrevented) {
                if (threadId) setThreadId('');
                else if (panel) closePanel();
                else if (drawer) setDrawer(false);
            }
        };
        window.addEventListener('keydown', onKey);
        return () => window.removeEventListener('keydown', onKey);
    }, [move, threadId, panel, drawer]);

    const onAction = async (action: Modal | 'logout') => {
        if (action === 'logout') {
            await logout();
            onSignedOut();
            navigate('/login');
            return;
        }
        setModal(action);
    };

    const loading = (
        <div className="loading" role="status">
            {t('common.loading')}
        </div>
    );
    if (!started || !ready) return loading;
    if (!teams.length) return <TeamPicker standalone />;

    // A held channel shows in the same render as the click; the effect above then loads and marks it read.
    const routed = route.kind === 'channel' && channelsLoaded ? channelByName(route.channel) : undefined;
    const channel = routed ?? channels[channelId];
    return (
        <div className={['app', drawer ? 'drawer-open' : '', threadId || panel ? 'thread-open' : ''].join(' ')}>
            <a className="skip-link" href="#main">
                {t('common.skip')}
            </a>
            <Sidebar currentChannelId={channel?.id ?? ''} view={route.kind === 'threads' || route.kind === 'integrations' ? route.kind : 'channel'} onAction={onAction} />
            <div className="drawer-scrim" onClick={() => setDrawer(false)} aria-hidden="true" />
            <main id="main" className="main" tabIndex={-1}>
                {connection !== 'online' && (
                    <div className="connection-banner" role="status">
                        {t(connection === 'connecting' ? 'connection.connecting' : 'connection.offline')}
                    </div>
                )}
                {route.kind === 'threads' ? (
                    <ThreadsView onOpenThread={setThreadId} onMenu={() => setDrawer(true)} />
                ) : route.kind === 'moderation' && isModerator(me) ? (
                    <Suspense fallback={loading}>
                        <ModerationPage />
                    </Suspense>
                ) : route.kind === 'integrations' && team ? (
                    <Suspense fallback={loading}>
                        <IntegrationsPage teamId={team.id} onMenu={() => setDrawer(true)} />
                    </Suspense>
                ) : notFound ? (
                    <div className="empty-state">
                        <p>{t('channel.notFound')}</p>
                    </div>
                ) : channel ? (
                    <ChannelView key={channel.id} channel={channel} onOpenThread={openThread} onMenu={() => setDrawer(true)} />
                ) : (
                    loading
                )}
            </main>
            {threadId ? <ThreadPanel rootId={threadId} onClose={() => setThreadId('')} /> : panel && <SearchPanel panel={panel} />}
            {modal === 'switcher' && <ChannelSwitcher onClose={() => setModal(null)} />}
            {modal === 'browse' && <BrowseChannels onClose={() => setModal(null)} />}
            {modal === 'create' && <CreateChannel onClose={() => setModal(null)} />}
            {modal === 'direct' && <DirectMessage onClose={() => setModal(null)} />}
            {modal === 'settings' && <Settings onClose={() => setModal(null)} />}
            {modal === 'createTeam' && <TeamPicker onClose={() => setModal(null)} />}
            {modal === 'admin' && (
                <Suspense fallback={null}>
                    <AdminConsole onClose={() => setModal(null)} />
                </Suspense>
            )}
            <ProfilePopover />
        </div>
    );
}

/** The theme preference (light, dark, or the system's), applied to <html data-theme>. */
function useTheme() {
    const theme = useStore((s) => pref(s, 'display_settings', 'theme')) ?? 'system';
    useEffect(() => {
        const media = window.matchMedia('(prefers-color-scheme: dark)');
        const apply = () => {
            document.documentElement.dataset.theme = theme === 'system' ? (media.matches ? 'dark' : 'light') : theme;
        };
        apply();
        media.addEventListener('change', apply);
        return () => media.removeEventListener('change', apply);
    }, [theme]);
}
