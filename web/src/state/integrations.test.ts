import {describe, expect, it} from 'vitest';
import type {Post} from '../api/types';
import {buildTimeline, overrideName} from './timeline';

const post = (id: string, at: number, props: Record<string, unknown> = {}): Post => ({
    id, create_at: at, update_at: at, edit_at: 0, delete_at: 0, is_pinned: false, user_id: 'creator', channel_id: 'c', root_id: '', message: id, type: '', props,
});

describe('integration posts', () => {
    it('show the override name only on webhook posts', () => {
        expect(overrideName(post('a', 1, {from_webhook: 'true', override_username: 'Nagios'}))).toBe('Nagios');
        expect(overrideName(post('b', 1, {override_username: 'Nagios'}))).toBe('');
        expect(overrideName(post('c', 1, {from_webhook: 'true'}))).toBe('');
    });

    it('are grouped only under the same shown name', () => {
        const posts = [
            post('a', 1000, {from_webhook: 'true', override_username: 'Nagios'}),
            post('b', 2000, {from_webhook: 'true', override_username: 'Nagios'}),
            post('c', 3000, {from_webhook: 'true', override_username: 'Jenkins'}),
            post('d', 4000),
        ];
        const items = buildTimeline(posts, {lastViewedAt: 0, meId: 'me', timeZone: 'UTC'}).filter((i) => i.kind === 'post');
        expect(items.map((i) => (i.kind === 'post' ? i.continuation : null))).toEqual([false, true, false, false]);
    });
});
