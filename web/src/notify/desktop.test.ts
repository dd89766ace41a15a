import {describe, expect, it} from 'vitest';
import type {Post} from '../api/types';
import {shouldNotifyDesktop, type DesktopInput} from './desktop';

const post = (extra: Partial<Post> = {}): Post =>
    ({id: 'p', create_at: 1, update_at: 1, edit_at: 0, delete_at: 0, is_pinned: false, user_id: 'ann', channel_id: 'c', root_id: '', message: 'hi', type: '', props: {}, ...extra}) as Post;

const base: DesktopInput = {post: post(), meId: 'ben', mentioned: true, follower: false, userProps: {desktop: 'mention'}, status: 'online', hidden: true};

describe('shouldNotifyDesktop', () => {
    it('notifies a mention while the tab is hidden', () => {
        expect(shouldNotifyDesktop(base)).toBe(true);
        expect(shouldNotifyDesktop({...base, hidden: false})).toBe(false);
    });
    it('never for my own posts, system posts, or during do-not-disturb', () => {
        expect(shouldNotifyDesktop({...base, post: post({user_id: 'ben'})})).toBe(false);
        expect(shouldNotifyDesktop({...base, post: post({type: 'system_join_channel'})})).toBe(false);
        expect(shouldNotifyDesktop({...base, status: 'dnd'})).toBe(false);
    });
    it('follows the levels, the channel overriding the user, and mute', () => {
        expect(shouldNotifyDesktop({...base, mentioned: false})).toBe(false);
        expect(shouldNotifyDesktop({...base, mentioned: false, userProps: {desktop: 'all'}})).toBe(true);
        expect(shouldNotifyDesktop({...base, userProps: {desktop: 'all'}, memberProps: {desktop: 'none'}})).toBe(false);
        expect(shouldNotifyDesktop({...base, mentioned: false, memberProps: {desktop: 'all'}})).toBe(true);
        expect(shouldNotifyDesktop({...base, memberProps: {mark_unread: 'mention'}})).toBe(false);
    });
    it('tells followers of a thread unless they asked for mentions only', () => {
        expect(shouldNotifyDesktop({...base, mentioned: false, follower: true})).toBe(true);
        expect(shouldNotifyDesktop({...base, mentioned: false, follower: true, userProps: {desktop: 'mention', desktop_threads: 'mention'}})).toBe(false);
    });
});
