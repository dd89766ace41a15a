// What the UI asks for: each action calls the API and applies the answer (and the WebSocket's events) to the
// store through the pure helpers.
import {ApiError, client, NetworkError} from '../api/client';
import {Socket, type WsEvent} from '../api/socket';
import type {Channel, ChannelMember, FileInfo, Post, PostList, Preference, Reaction, Status, User} from '../api/types';
import {applyPosted, markViewed} from './channels';
import {addPending, addReaction, markPending, mergePage, receivePost, removePost, removeReaction} from './posts';
import {loadCustomEmoji, receiveEmoji} from './emojiActions';
import {getState, initialState, update} from './store';
import {loadUploadLimit} from './uploadActions';
import {desktopEnabled, shouldNotifyDesktop, showDesktop} from '../notify/desktop';
import {navigate} from '../router';

export const PAGE_SIZE = 60;
const TYPING_MS = 5000;

let socket: Socket | null = null;
let lastSync = 0;
let viewing = '';

// ---------- users ----------

const wanted = new Set<string>();
let userTimer: ReturnType<typeof setTimeout> | undefined;

/** Fetch profiles not held yet, batched (a page of posts names many people at once). */
export function ensureUsers(ids: Iterable<string>): void {
    const {users} = getState();
    for (const id of ids) if (id && !users[id]) wanted.add(id);
    if (!wanted.size || userTimer) return;
    userTimer = setTimeout(async () => {
        userTimer = undefined;
        const batch = [...wanted];
        wanted.clear();
        try {
            receiveUsers(await client.usersByIds(batch));
            receiveStatuses(await client.statusesByIds(batch));
        } catch {
            // shown as ids until the next attempt
        }
    }, 10);
}

export function receiveUsers(list: User[]): void {
    update((s) => ({users: {...s.users, ...Object.fromEntries(list.map((u) => [u.id, u]))}}));
}

// ---------- statuses ----------

/** `status_change` reaches only the user it is about, so others' presence is polled, as Mattermost's web app
 * does, once a minute (and after a reconnect). */
export const STATUS_POLL_MS = 60_000;
const STATUS_BATCH = 500;
let statusTimer: ReturnType<typeof setInterval> | undefined;
let dndTimer: ReturnType<typeof setTimeout> | undefined;

function receiveStatuses(list: Status[]): void {
    const meId = getState().me?.id;
    const mine = list.find((st) => st.user_id === meId);
    if (mine) scheduleDndEnd(mine);
    update((s) => ({
        statuses: {...s.statuses, ...Object.fromEntries(list.map((st) => [st.user_id, st.status]))},
        ...(mine ? {dndEndTime: mine.status === 'dnd' ? (mine.dnd_end_time ?? 0) : 0} : {}),
    }));
}

/** The statuses of everyone the client holds (yours included). */
export async function refreshStatuses(): Promise<void> {
    const ids = Object.keys(getState().users);
    for (let i = 0; i < ids.length; i += STATUS_BATCH) receiveStatuses(await client.statusesByIds(ids.slice(i, i + STATUS_BATCH)));
}

/** A timed do-not-disturb ends without an event: ask again when it should have. */
function scheduleDndEnd(mine: Status): void {
    clearTimeout(dndTimer);
    const end = mine.status === 'dnd' ? (mine.dnd_end_time ?? 0) * 1000 : 0;
    if (end) dndTimer = setTimeout(() => void refreshMyStatus(), Math.min(Math.max(end - Date.now() + 1000, 0), 2 ** 31 - 1));
}

/** One person's status now (a profile card asks when it opens). */
export async function refreshStatus(userId: string): Promise<void> {
    receiveStatuses([await client.status(userId)]);
}

async function refreshMyStatus(): Promise<void> {
    const me = getState().me;
    if (me) await refreshStatus(me.id);
}

/** Set your status; a do-not-disturb may end at `dndEndTime` (seconds, 0: until changed). */
export async function setMyStatus(status: Status['status'], dndEndTime = 0): Promise<void> {
    const me = getState().me;
    if (me) receiveStatuses([await client.setStatus(me.id, status, dndEndTime)]);
}

function startStatusPolling(): void {
    clearInterval(statusTimer);
    statusTimer = setInterval(() => void refreshStatuses().catch(() => undefined), STATUS_POLL_MS);
    void refreshMyStatus().catch(() => undefined);
}

// ---------- session ----------

export async function start(me: User): Promise<void> {
    update(() => ({...initialState(), me, users: {[me.id]: me}}));
    const [teams, prefs] = await Promise.all([client.myTeams(), client.preferences()]);
    update(() => ({teams: teams.filter((t) => !t.delete_at), prefs: prefsMap(prefs)}));
    void loadUploadLimit();
    void loadCustomEmoji();
    socket?.close();
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new Socket(`${scheme}//${location.host}/api/v4/websocket`, {
        onEvent: handleEvent,
        onStatus: (connection) => update(() => ({connection})),
        onFreshConnection: () => void resync(),
    });
    socket.connect();
    startStatusPolling();
    syncTimeZone(me);
}

/** As Mattermost's web app does: a user on the automatic time zone gets this browser's, so that others see
 * their local time. */
function syncTimeZone(me: User): void {
    const tz = me.timezone;
    const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const automatic = !tz || tz.useAutomaticTimezone === true || tz.useAutomaticTimezone === 'true';
    if (!automatic || !here || tz?.automaticTimezone === here) return;
    client
        .patchMe({timezone: {useAutomaticTimezone: 'true', automaticTimezone: here, manualTimezone: tz?.manualTimezone ?? ''}})
        .catch(() => undefined); // the user_updated event brings the change
}

export async function logout(): Promise<void> {
    socket?.close();
    socket = null;
    clearInterval(statusTimer);
    clearTimeout(dndTimer);
    // The state is replaced at the next start; clearing it here would pull it from under the mounted views.
    await client.logout().catch(() => undefined);
}

const prefsMap = (prefs: Preference[]) => Object.fromEntries(prefs.map((p) => [`${p.category}:${p.name}`, p.value]));

// ---------- teams and channels ----------

export async function selectTeam(teamId: string): Promise<void> {
    if (getState().teamId === teamId && Object.keys(getState().channels).length) return;
    update(() => ({teamId}));
    await loadChannels(teamId);
    void loadThreads();
}

async function loadChannels(teamId: string): Promise<void> {
    const [channels, members] = await Promise.all([client.myChannels(teamId), client.myMembers(teamId)]);
    const me = getState().me!;
    update(() => ({
        channels: Object.fromEntries(channels.map((c) => [c.id, c])),
        members: Object.fromEntries(members.map((m) => [m.channel_id, m])),
    }));
    ensureUsers(channels.filter((c) => c.type === 'D').flatMap((c) => c.name.split('__')).filter((id) => id !== me.id));
}

export function channelByName(name: string): Channel | undefined {
    const {channels, teamId} = getState();
    return Object.values(channels).find((c) => c.name === name && (c.team_id === teamId || c.team_id === ''));
}

/** Open a channel: its newest page if not held, then mark it read (here and on the server). */
export async function openChannel(channelId: string): Promise<void> {
    const prev = viewing;
    viewing = channelId;
    const s = getState();
    const member = s.members[channelId];
    update((st) => ({openedAt: {...st.openedAt, [channelId]: member?.last_viewed_at ?? 0}}));
    if (!s.posts.channels[channelId]) {
        const list = await client.posts(channelId, {perPage: PAGE_SIZE});
        receivePage(channelId, list, 'latest');
    }
    markRead(channelId);
    client.viewChannel(channelId, prev).catch(() => undefined);
}

export function closeChannel(): void {
    viewing = '';
}

function markRead(channelId: string): void {
    update((s) => {
        const channel = s.channels[channelId];
        const member = s.members[channelId];
        if (!channel || !member) return {};
        return {members: {...s.members, [channelId]: markViewed(channel, member, Date.now())}};
    });
}

function receivePage(channelId: string, list: PostList, mode: 'latest' | 'older' | 'since'): void {
    update((s) => ({posts: mergePage(s.posts, channelId, list, mode, PAGE_SIZE)}));
    ensureUsers(Object.values(list.posts).map((p) => p.user_id));
    if (!lastSync) lastSync = Date.now();
}

/** One older page; resolves to whether more remain. */
export async function loadOlder(channelId: string): Promise<boolean> {
    const held = getState().posts.channels[channelId];
    if (!held?.hasOlder) return false;
    const oldest = held.order[0];
    const list = await client.posts(channelId, {before: oldest, perPage: PAGE_SIZE});
    receivePage(channelId, list, 'older');
    return getState().posts.channels[channelId]?.hasOlder ?? false;
}

export async function loadThread(rootId: string): Promise<void> {
    const list = await client.thread(rootId);
    const root = list.posts[rootId];
    if (root) receivePage(root.channel_id, list, 'since');
}

export async function openPermalink(postId: string): Promise<Post> {
    const post = await client.post(postId);
    const rootId = post.root_id || post.id;
    const channelId = post.channel_id;
    const list = await client.posts(channelId, {before: rootId, perPage: 30});
    const after = await client.posts(channelId, {after: rootId, perPage: 30});
    // The pages before and after leave out the post itself: it goes between them.
    receivePage(channelId, {...list, order: [...list.order, post.id, ...after.order], posts: {...list.posts, ...after.posts, [post.id]: post}}, 'since');
    if (!getState().posts.channels[channelId]) update(() => ({}));
    update(() => ({highlight: post.id}));
    return post;
}

/** After a reconnect the server could not replay: refetch channels, and the changes in every held channel. */
export async function resync(): Promise<void> {
    const {teamId, posts} = getState();
    if (!teamId) return;
    const since = lastSync - 60_000;
    lastSync = Date.now();
    await loadChannels(teamId);
    if (since > 0) {
        await Promise.all(
            Object.keys(posts.channels).map(async (channelId) => {
                try {
                    receivePage(channelId, await client.postsSince(channelId, since), 'since');
                } catch {
                    // the channel may be gone
                }
            }),
        );
    }
    if (viewing) markRead(viewing);
    void loadThreads();
    void refreshStatuses().catch(() => undefined);
}

// ---------- posting ----------

/** Post a message (and uploaded files); it shows at once, marked as sending, and is retried with the same
 * pending_post_id. */
export async function sendPost(channelId: string, message: string, rootId = '', files: FileInfo[] = []): Promise<void> {
    const me = getState().me!;
    const now = Date.now();
    const pendingId = `${me.id}:${now}`;
    const local: Post = {
        id: pendingId,
        pending_post_id: pendingId,
        create_at: now,
        update_at: now,
        edit_at: 0,
        delete_at: 0,
        is_pinned: false,
        user_id: me.id,
        channel_id: channelId,
        root_id: rootId,
        message,
        type: '',
        props: {},
        ...(files.length ? {file_ids: files.map((f) => f.id), metadata: {files}} : {}),
    };
    update((s) => ({posts: addPending(s.posts, local)}));
    await deliver(local);
}

export async function retryPost(pendingId: string): Promise<void> {
    const post = getState().posts.byId[pendingId];
    if (!post) return;
    update((s) => ({posts: markPending(s.posts, pendingId, 'sending')}));
    await deliver(post);
}

async function deliver(local: Post): Promise<void> {
    try {
        const saved = await client.createPost({
            channel_id: local.channel_id,
            message: local.message,
            root_id: local.root_id,
            pending_post_id: local.pending_post_id!,
            file_ids: local.file_ids,
        });
        update((s) => ({posts: receivePost(s.posts, {...saved, pending_post_id: local.id})}));
    } catch (err) {
        if (err instanceof ApiError && err.status < 500 && err.status !== 429) {
            update((s) => ({posts: markPending(s.posts, local.id, 'failed')}));
            throw err;
        }
        update((s) => ({posts: markPending(s.posts, local.id, 'failed')}));
        if (err instanceof NetworkError) return;
        throw err;
    }
}

export async function editPost(postId: string, message: string): Promise<void> {
    const post = await client.patchPost(postId, message);
    update((s) => ({posts: receivePost(s.posts, post)}));
}

/** The author hides their post's link preview (Mattermost's `remove_link_preview` prop). */
export async function removeLinkPreview(post: Post): Promise<void> {
    const saved = await client.patchPostProps(post.id, {...post.props, remove_link_preview: 'true'});
    update((s) => ({posts: receivePost(s.posts, saved)}));
}

export async function deletePost(postId: string): Promise<void> {
    const state = getState();
    if (state.posts.pending[postId]) {
        update((s) => ({posts: removePost(s.posts, postId)}));
        return;
    }
    await client.deletePost(postId);
    update((s) => ({posts: removePost(s.posts, postId)}));
}

export async function togglePin(post: Post): Promise<void> {
    await client.pin(post.id, !post.is_pinned);
    update((s) => ({posts: receivePost(s.posts, {...post, is_pinned: !post.is_pinned})}));
}

export async function toggleReaction(postId: string, emoji: string): Promise<void> {
    const {me, posts} = getState();
    const mine = posts.byId[postId]?.metadata?.reactions?.some((r) => r.user_id === me!.id && r.emoji_name === emoji);
    if (mine) {
        await client.removeReaction(me!.id, postId, emoji);
        update((s) => ({posts: removeReaction(s.posts, {user_id: me!.id, post_id: postId, emoji_name: emoji, create_at: 0})}));
    } else {
        const r = await client.addReaction(me!.id, postId, emoji);
        update((s) => ({posts: addReaction(s.posts, r)}));
    }
}

export async function setPreference(category: string, name: string, value: string | null): Promise<void> {
    const me = getState().me!;
    const pref = {user_id: me.id, category, name, value: value ?? ''};
    if (value === null) await client.deletePreferences(me.id, [pref]);
    else await client.savePreferences(me.id, [pref]);
    update((s) => {
        const prefs = {...s.prefs};
        if (value === null) delete prefs[`${category}:${name}`];
        else prefs[`${category}:${name}`] = value;
        return {prefs};
    });
}

export function sendTyping(channelId: string, parentId = ''): void {
    socket?.send('user_typing', {channel_id: channelId, parent_id: parentId});
}

export async function loadThreads(): Promise<void> {
    const {me, teamId} = getState();
    if (!me || !teamId) return;
    try {
        const list = await client.threads(me.id, teamId);
        update(() => ({threads: list.threads}));
        ensureUsers(list.threads.map((t) => t.post.user_id));
    } catch {
        // the Threads view shows what it has
    }
}

export async function upsertChannel(channel: Channel, member?: ChannelMember): Promise<void> {
    update((s) => ({
        channels: {...s.channels, [channel.id]: channel},
        members: member ? {...s.members, [channel.id]: member} : s.members,
    }));
    if (!member) {
        try {
            const m = await client.channelMember(channel.id);
            update((s) => ({members: {...s.members, [channel.id]: m}}));
        } catch {
            // not a member
        }
    }
}

// ---------- WebSocket events ----------

/** A desktop notification for a post that calls for one (see notify/desktop.ts), when the user enabled them. */
function notifyDesktop(post: Post, data: Record<string, unknown>, mentioned: boolean): void {
    const s = getState();
    if (!s.me || !desktopEnabled()) return;
    const followers: string[] = data.followers ? JSON.parse(String(data.followers)) : [];
    const input = {
        post,
        meId: s.me.id,
        mentioned,
        follower: followers.includes(s.me.id),
        userProps: s.me.notify_props ?? {},
        memberProps: s.members[post.channel_id]?.notify_props,
        status: s.statuses[s.me.id] ?? 'online',
        hidden: document.visibilityState !== 'visible',
    };
    if (!shouldNotifyDesktop(input)) return;
    const sender = String(data.sender_name ?? '').replace(/^@/, '');
    const title = data.channel_type === 'D' ? sender : String(data.channel_display_name ?? '');
    const body = data.channel_type === 'D' ? post.message : `${sender}: ${post.message}`;
    const team = s.teams.find((t) => t.id === s.teamId);
    showDesktop(title, body, post, s.me.notify_props?.desktop_sound !== 'false', () => {
        if (team) navigate(`/${team.name}/pl/${post.id}`);
    });
}

const parsePost = (data: Record<string, unknown>): Post => JSON.parse(String(data.post));

const eventListeners = new Set<(ev: WsEvent) => void>();

/** Views that keep lists of their own (search results, saved and pinned posts) hear every event after the
 * store has applied it. Returns the unsubscribe function. */
export function onEvent(listener: (ev: WsEvent) => void): () => void {
    eventListeners.add(listener);
    return () => eventListeners.delete(listener);
}

export function handleEvent(ev: WsEvent): void {
    applyEvent(ev);
    eventListeners.forEach((listener) => listener(ev));
}

function applyEvent(ev: WsEvent): void {
    const s = getState();
    const me = s.me;
    if (!me) return;
    switch (ev.event) {
        case 'posted': {
            const post = parsePost(ev.data);
            const mentions: string[] = ev.data.mentions ? JSON.parse(String(ev.data.mentions)) : [];
            ensureUsers([post.user_id]);
            update((st) => {
                const channel = st.channels[post.channel_id];
                const visible = viewing === post.channel_id && document.visibilityState === 'visible';
                const next: Partial<typeof st> = {posts: receivePost(st.posts, post)};
                if (channel) {
                    const {channel: c, member: m} = applyPosted(channel, st.members[post.channel_id], post, {
                        meId: me.id,
                        mentioned: mentions.includes(me.id),
                        viewing: visible,
                    });
                    next.channels = {...st.channels, [c.id]: c};
                    if (m) next.members = {...st.members, [c.id]: m};
                }
                const typing = st.typing[post.channel_id]?.filter((t) => t.userId !== post.user_id);
                if (typing) next.typing = {...st.typing, [post.channel_id]: typing};
                return next;
            });
            notifyDesktop(post, ev.data, mentions.includes(me.id));
            if (viewing === post.channel_id && post.user_id !== me.id) client.viewChannel(post.channel_id).catch(() => undefined);
            if (!s.channels[post.channel_id] && s.teamId) void loadChannels(s.teamId);
            if (post.root_id) void loadThreads();
            break;
        }
        case 'ephemeral_message':
        case 'post_edited':
            update((st) => ({posts: receivePost(st.posts, parsePost(ev.data))}));
            break;
        case 'post_deleted':
            update((st) => ({posts: removePost(st.posts, parsePost(ev.data).id)}));
            break;
        case 'reaction_added':
        case 'reaction_removed': {
            const r: Reaction = JSON.parse(String(ev.data.reaction));
            update((st) => ({posts: ev.event === 'reaction_added' ? addReaction(st.posts, r) : removeReaction(st.posts, r)}));
            break;
        }
        case 'typing': {
            const userId = String(ev.data.user_id);
            const channelId = ev.broadcast.channel_id ?? '';
            ensureUsers([userId]);
            const until = Date.now() + TYPING_MS;
            update((st) => ({
                typing: {...st.typing, [channelId]: [...(st.typing[channelId] ?? []).filter((t) => t.userId !== userId), {userId, parentId: String(ev.data.parent_id ?? ''), until}]},
            }));
            setTimeout(() => update((st) => ({typing: {...st.typing, [channelId]: (st.typing[channelId] ?? []).filter((t) => t.until > Date.now())}})), TYPING_MS + 50);
            break;
        }
        case 'status_change':
            if (String(ev.data.user_id) === me.id && ev.data.status !== 'dnd') clearTimeout(dndTimer);
            update((st) => ({
                statuses: {...st.statuses, [String(ev.data.user_id)]: String(ev.data.status)},
                ...(String(ev.data.user_id) === me.id && ev.data.status !== 'dnd' ? {dndEndTime: 0} : {}),
            }));
            break;
        case 'user_updated': {
            const user = ev.data.user as User;
            update((st) => ({users: {...st.users, [user.id]: user}, me: user.id === me.id ? {...me, ...user} : st.me}));
            break;
        }
        case 'emoji_added':
            receiveEmoji([JSON.parse(String(ev.data.emoji))]);
            break;
        case 'channel_viewed':
        case 'multiple_channels_viewed': {
            const times = (ev.data.channel_times as Record<string, number>) ?? {[String(ev.data.channel_id)]: Date.now()};
            for (const channelId of Object.keys(times)) if (channelId !== viewing) markRead(channelId);
            break;
        }
        case 'channel_created':
        case 'channel_updated':
        case 'channel_converted':
        case 'channel_deleted':
        case 'channel_restored':
        case 'user_added':
        case 'user_removed':
        case 'direct_added':
        case 'group_added':
        case 'channel_member_updated':
        case 'added_to_team':
        case 'leave_team':
            if (s.teamId) void loadChannels(s.teamId);
            if (ev.event === 'added_to_team' || ev.event === 'leave_team') void client.myTeams().then((teams) => update(() => ({teams})));
            break;
        case 'preferences_changed':
        case 'preferences_deleted': {
            const prefs: Preference[] = JSON.parse(String(ev.data.preferences ?? '[]'));
            update((st) => {
                const next = {...st.prefs};
                for (const p of prefs) {
                    if (ev.event === 'preferences_deleted') delete next[`${p.category}:${p.name}`];
                    else next[`${p.category}:${p.name}`] = p.value;
                }
                return {prefs: next};
            });
            break;
        }
        default:
            break;
    }
}
