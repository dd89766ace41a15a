// Pure updates of the posts a client holds: pages merged in order, live events applied once, pending posts
// replaced by the server's copy (matched by pending_post_id), reactions kept on their post.
import type {Post, PostList, Reaction} from '../api/types';
import {isEphemeral} from './timeline';

export interface ChannelPosts {
    /** Root posts, oldest first (replies live in their thread). */
    order: string[];
    /** More, older posts exist on the server. */
    hasOlder: boolean;
}

export interface PostsState {
    byId: Record<string, Post>;
    channels: Record<string, ChannelPosts>;
    /** Replies by root id, oldest first. */
    threads: Record<string, string[]>;
    /** Local posts not yet confirmed, by pending_post_id. */
    pending: Record<string, 'sending' | 'failed'>;
}

export const emptyPosts = (): PostsState => ({byId: {}, channels: {}, threads: {}, pending: {}});

const byTime = (posts: Record<string, Post>) => (a: string, b: string) => posts[a].create_at - posts[b].create_at || (a < b ? -1 : a > b ? 1 : 0);

function insertSorted(order: string[], id: string, posts: Record<string, Post>): string[] {
    if (order.includes(id)) return order;
    const next = [...order, id];
    // Posts nearly always arrive newest-last: only sort when the new one is out of place.
    if (order.length && posts[order[order.length - 1]].create_at > posts[id].create_at) next.sort(byTime(posts));
    return next;
}

function keepReactions(old: Post | undefined, post: Post): Post {
    if (!old?.metadata?.reactions || post.metadata?.reactions) return post;
    return {...post, metadata: {...post.metadata, reactions: old.metadata.reactions}};
}

/** Merge a page of channel history. `latest`: the newest page (replaces the view of the channel's end);
 * `older`: a page before the oldest held post; `since`: changes after a reconnect. */
export function mergePage(state: PostsState, channelId: string, list: PostList, mode: 'latest' | 'older' | 'since', perPage = 60): PostsState {
    const byId = {...state.byId};
    const threads = {...state.threads};
    const roots: string[] = [];
    for (const id of list.order) {
        const post = list.posts[id];
        if (!post) continue;
        if (post.delete_at) {
            delete byId[id];
            continue;
        }
        byId[id] = keepReactions(byId[id], post);
        if (post.root_id) {
            threads[post.root_id] = insertSorted((threads[post.root_id] ?? []).filter((r) => byId[r]), id, byId);
        } else roots.push(id);
    }
    const deleted = new Set(list.order.filter((id) => list.posts[id]?.delete_at));
    const current = state.channels[channelId];
    let order = (current?.order ?? []).filter((id) => !deleted.has(id) && byId[id]);
    for (const id of roots) order = insertSorted(order, id, byId);
    if (!current && mode === 'latest') {
        // Posts that arrived live while this first page was on its way are newer than all of it: keep them.
        const newest = Math.max(0, ...roots.map((id) => byId[id].create_at));
        for (const post of Object.values(state.byId)) {
            if (post.channel_id === channelId && !post.root_id && post.create_at > newest && !deleted.has(post.id)) order = insertSorted(order, post.id, byId);
        }
    }
    const hasOlder = mode === 'since' ? (current?.hasOlder ?? true) : list.order.length >= perPage;
    return {...state, byId, threads, channels: {...state.channels, [channelId]: {order, hasOlder}}};
}

/** A post the user is sending: shown at once, marked sending until the server answers. */
export function addPending(state: PostsState, post: Post): PostsState {
    const withPost = receivePost(state, post);
    return {...withPost, pending: {...withPost.pending, [post.id]: 'sending'}};
}

export function markPending(state: PostsState, pendingId: string, status: 'sending' | 'failed'): PostsState {
    if (!state.byId[pendingId]) return state;
    return {...state, pending: {...state.pending, [pendingId]: status}};
}

/** A new or updated post (the server's answer, a `posted` or `post_edited` event); replaces its pending copy. */
export function receivePost(state: PostsState, post: Post): PostsState {
    let next = state;
    const pendingId = post.pending_post_id;
    if (pendingId && pendingId !== post.id && state.byId[pendingId]) next = removePost(next, pendingId);
    if (post.delete_at) return removePost(next, post.id);
    const isNew = !next.byId[post.id];
    const byId = {...next.byId, [post.id]: keepReactions(next.byId[post.id], post)};
    const pending = {...next.pending};
    delete pending[post.id];
    if (pendingId) delete pending[pendingId];
    if (post.root_id) {
        const replies = insertSorted(next.threads[post.root_id] ?? [], post.id, byId);
        const root = byId[post.root_id];
        if (isNew && root && post.id !== pendingId && !isEphemeral(post)) byId[post.root_id] = {...root, reply_count: (root.reply_count ?? 0) + 1};
        return {...next, byId, pending, threads: {...next.threads, [post.root_id]: replies}};
    }
    const channel = next.channels[post.channel_id];
    if (!channel) return {...next, byId, pending};
    return {...next, byId, pending, channels: {...next.channels, [post.channel_id]: {...channel, order: insertSorted(channel.order, post.id, byId)}}};
}

export function removePost(state: PostsState, id: string): PostsState {
    const post = state.byId[id];
    if (!post) return state;
    const byId = {...state.byId};
    delete byId[id];
    const pending = {...state.pending};
    delete pending[id];
    let {channels, threads} = state;
    const channel = channels[post.channel_id];
    if (channel && !post.root_id) channels = {...channels, [post.channel_id]: {...channel, order: channel.order.filter((p) => p !== id)}};
    if (post.root_id && threads[post.root_id]) {
        threads = {...threads, [post.root_id]: threads[post.root_id].filter((p) => p !== id)};
        const root = byId[post.root_id];
        if (root && !pending[id] && !state.pending[id]) byId[post.root_id] = {...root, reply_count: Math.max(0, (root.reply_count ?? 1) - 1)};
    }
    return {...state, byId, pending, channels, threads};
}

function withReactions(state: PostsState, postId: string, change: (list: Reaction[]) => Reaction[]): PostsState {
    const post = state.byId[postId];
    if (!post) return state;
    const reactions = change(post.metadata?.reactions ?? []);
    return {...state, byId: {...state.byId, [postId]: {...post, metadata: {...post.metadata, reactions}}}};
}

const same = (a: Reaction, b: Reaction) => a.user_id === b.user_id && a.emoji_name === b.emoji_name;

export const addReaction = (state: PostsState, r: Reaction) => withReactions(state, r.post_id, (list) => (list.some((x) => same(x, r)) ? list : [...list, r]));
export const removeReaction = (state: PostsState, r: Reaction) => withReactions(state, r.post_id, (list) => list.filter((x) => !same(x, r)));

/** Reactions grouped by emoji, in first-use order, with whether the user is among them. */
export function groupReactions(reactions: Reaction[], meId: string): {emoji: string; count: number; mine: boolean; userIds: string[]}[] {
    const groups = new Map<string, {emoji: string; count: number; mine: boolean; userIds: string[]}>();
    for (const r of [...reactions].sort((a, b) => a.create_at - b.create_at)) {
        const g = groups.get(r.emoji_name) ?? {emoji: r.emoji_name, count: 0, mine: false, userIds: []};
        g.count += 1;
        g.mine ||= r.user_id === meId;
        g.userIds.push(r.user_id);
        groups.set(r.emoji_name, g);
    }
    return [...groups.values()];
}
