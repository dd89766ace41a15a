// The client's state rules: pages merge in order, a pending post is replaced (never duplicated) by the
// server's copy, live events count unreads and mentions, and the timeline places day and "new" lines.
import {describe, expect, it} from 'vitest';
import type {Channel, ChannelMember, Post, PostList} from '../api/types';
import {applyPosted, markViewed, sidebarSections, unreadCount} from './channels';
import {addPending, addReaction, emptyPosts, groupReactions, markPending, mergePage, receivePost, removePost, removeReaction} from './posts';
import {buildTimeline} from './timeline';

const post = (id: string, at: number, extra: Partial<Post> = {}): Post => ({
    id,
    create_at: at,
    update_at: at,
    edit_at: 0,
    delete_at: 0,
    is_pinned: false,
    user_id: 'u1',
    channel_id: 'c1',
    root_id: '',
    message: id,
    type: '',
    props: {},
    ...extra,
});
const page = (...posts: Post[]): PostList => ({
    order: [...posts].reverse().map((p) => p.id),
    posts: Object.fromEntries(posts.map((p) => [p.id, p])),
    next_post_id: '',
    prev_post_id: '',
});
const channel = (extra: Partial<Channel> = {}): Channel => ({
    id: 'c1',
    team_id: 't1',
    type: 'O',
    name: 'town',
    display_name: 'Town',
    header: '',
    purpose: '',
    delete_at: 0,
    last_post_at: 0,
    total_msg_count: 10,
    total_msg_count_root: 10,
    creator_id: '',
    ...extra,
});
const member = (extra: Partial<ChannelMember> = {}): ChannelMember => ({
    channel_id: 'c1',
    user_id: 'me',
    roles: 'channel_user',
    last_viewed_at: 0,
    msg_count: 10,
    msg_count_root: 10,
    mention_count: 0,
    mention_count_root: 0,
    notify_props: {},
    ...extra,
});

describe('posts', () => {
    it('merges the latest page and older pages oldest first, knowing when older ones remain', () => {
        let s = mergePage(emptyPosts(), 'c1', page(post('c', 3), post('d', 4)), 'latest', 2);
        expect(s.channels.c1).toEqual({order: ['c', 'd'], hasOlder: true});
        s = mergePage(s, 'c1', page(post('a', 1)), 'older', 2);
        expect(s.channels.c1).toEqual({order: ['a', 'c', 'd'], hasOlder: false});
    });

    it('keeps a post that arrived live while the first page was loading', () => {
        let s = receivePost(emptyPosts(), post('live', 9));
        s = mergePage(s, 'c1', page(post('a', 1), post('b', 2)), 'latest');
        expect(s.channels.c1.order).toEqual(['a', 'b', 'live']);
        const older = mergePage(receivePost(emptyPosts(), post('seen-in-search', 1)), 'c1', page(post('b', 2)), 'latest');
        expect(older.channels.c1.order).toEqual(['b']); // an older post known from elsewhere is not pulled in
    });

    it('keeps replies out of the channel and in their thread, counting them on the root', () => {
        let s = mergePage(emptyPosts(), 'c1', page(post('r', 1)), 'latest');
        s = receivePost(s, post('x', 2, {root_id: 'r'}));
        expect(s.channels.c1.order).toEqual(['r']);
        expect(s.threads.r).toEqual(['x']);
        expect(s.byId.r.reply_count).toBe(1);
        s = receivePost(s, post('x', 2, {root_id: 'r', message: 'edited'}));
        expect(s.byId.r.reply_count).toBe(1);
    });

    it('replaces a pending post by the server copy once, whether the answer or the event comes first', () => {
        const base = mergePage(emptyPosts(), 'c1', page(post('a', 1)), 'latest');
        const pending = addPending(base, post('me:5', 5, {pending_post_id: 'me:5'}));
        expect(pending.pending['me:5']).toBe('sending');
        const saved = post('real', 5, {pending_post_id: 'me:5'});
        for (const s of [receivePost(receivePost(pending, saved), saved), receivePost(receivePost(pending, saved), {...saved})]) {
            expect(s.channels.c1.order).toEqual(['a', 'real']);
            expect(s.byId['me:5']).toBeUndefined();
            expect(s.pending).toEqual({});
        }
    });

    it('marks a failed send and keeps the post for a retry', () => {
        const s = markPending(addPending(emptyPosts(), post('me:5', 5, {pending_post_id: 'me:5'})), 'me:5', 'failed');
        expect(s.pending['me:5']).toBe('failed');
        expect(s.byId['me:5'].message).toBe('me:5');
    });

    it('removes deleted posts, also when a "since" page reports them', () => {
        let s = mergePage(emptyPosts(), 'c1', page(post('a', 1), post('b', 2)), 'latest');
        s = removePost(s, 'a');
        expect(s.channels.c1.order).toEqual(['b']);
        s = mergePage(s, 'c1', page(post('b', 2, {delete_at: 9}), post('c', 3)), 'since');
        expect(s.channels.c1.order).toEqual(['c']);
    });

    it('keeps reactions across edits and groups them by emoji', () => {
        let s = mergePage(emptyPosts(), 'c1', page(post('a', 1)), 'latest');
        s = addReaction(s, {user_id: 'me', post_id: 'a', emoji_name: '+1', create_at: 1});
        s = addReaction(s, {user_id: 'u2', post_id: 'a', emoji_name: '+1', create_at: 2});
        s = addReaction(s, {user_id: 'u2', post_id: 'a', emoji_name: '+1', create_at: 2});
        s = addReaction(s, {user_id: 'u2', post_id: 'a', emoji_name: 'tada', create_at: 3});
        s = receivePost(s, post('a', 1, {message: 'edited', metadata: {}}));
        expect(groupReactions(s.byId.a.metadata!.reactions!, 'me')).toEqual([
            {emoji: '+1', count: 2, mine: true, userIds: ['me', 'u2']},
            {emoji: 'tada', count: 1, mine: false, userIds: ['u2']},
        ]);
        s = removeReaction(s, {user_id: 'me', post_id: 'a', emoji_name: '+1', create_at: 0});
        expect(groupReactions(s.byId.a.metadata!.reactions!, 'me')[0]).toMatchObject({count: 1, mine: false});
    });
});

describe('channels', () => {
    it('counts unread root posts and mentions from posted events', () => {
        const opts = {meId: 'me', mentioned: true, viewing: false};
        const {channel: c, member: m} = applyPosted(channel(), member(), post('p', 5, {user_id: 'u2'}), opts);
        expect(unreadCount(c, m)).toBe(1);
        expect(m?.mention_count).toBe(1);
        const reply = applyPosted(c, m, post('q', 6, {user_id: 'u2', root_id: 'p'}), {...opts, mentioned: false});
        expect(unreadCount(reply.channel, reply.member)).toBe(1);
        const viewed = markViewed(reply.channel, reply.member!, 7);
        expect(unreadCount(reply.channel, viewed)).toBe(0);
        expect(viewed.mention_count).toBe(0);
    });

    it('does not count your own posts or the channel on screen as unread', () => {
        for (const [userId, viewing] of [
            ['me', false],
            ['u2', true],
        ] as const) {
            const {channel: c, member: m} = applyPosted(channel(), member(), post('p', 5, {user_id: userId}), {meId: 'me', mentioned: true, viewing});
            expect(unreadCount(c, m)).toBe(0);
            expect(m?.mention_count).toBe(0);
        }
    });

    it('sorts the sidebar into favorites, channels by name and direct messages by recency', () => {
        const chans = [
            channel({id: 'b', display_name: 'Beta'}),
            channel({id: 'a', display_name: 'alpha'}),
            channel({id: 'f', display_name: 'Fav'}),
            channel({id: 'gone', display_name: 'Old', delete_at: 1}),
            channel({id: 'd1', type: 'D', name: 'me__u2', last_post_at: 1}),
            channel({id: 'd2', type: 'D', name: 'me__u3', last_post_at: 2}),
        ];
        const sections = sidebarSections(chans, new Set(['f']), 'me', {}, 'en');
        expect(sections.map((s) => [s.key, s.channels.map((c) => c.id)])).toEqual([
            ['favorites', ['f']],
            ['channels', ['a', 'b']],
            ['direct', ['d2', 'd1']],
        ]);
    });
});

describe('timeline', () => {
    const day = Date.UTC(2026, 0, 10, 12);
    it('groups consecutive posts, separates days and draws the new-messages line before the first unread', () => {
        const posts = [
            post('a', day),
            post('b', day + 60_000),
            post('c', day + 10 * 60_000),
            post('d', day + 86_400_000, {user_id: 'u2'}),
            post('e', day + 86_400_000 + 1000, {user_id: 'u2'}),
        ];
        const items = buildTimeline(posts, {lastViewedAt: day + 86_400_000 - 1, meId: 'me', timeZone: 'UTC'});
        expect(items.map((i) => (i.kind === 'post' ? `${i.post.id}${i.continuation ? '+' : ''}` : i.kind))).toEqual(['day', 'a', 'b+', 'c', 'day', 'new', 'd', 'e+']);
    });
    it('puts no new-messages line for your own posts or when nothing was viewed before', () => {
        const posts = [post('a', day, {user_id: 'me'})];
        expect(buildTimeline(posts, {lastViewedAt: day - 1, meId: 'me'}).some((i) => i.kind === 'new')).toBe(false);
        expect(buildTimeline([post('b', day)], {lastViewedAt: 0, meId: 'me'}).some((i) => i.kind === 'new')).toBe(false);
    });
    it('never groups system messages', () => {
        const posts = [post('a', day), post('j', day + 1000, {type: 'system_join_channel'}), post('b', day + 2000)];
        expect(buildTimeline(posts, {lastViewedAt: 0, meId: 'me', timeZone: 'UTC'}).filter((i) => i.kind === 'post' && i.continuation)).toEqual([]);
    });
});
