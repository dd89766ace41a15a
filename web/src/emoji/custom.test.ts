import {describe, expect, it} from 'vitest';
import type {CustomEmoji} from '../api/types';
import {nameProblem, searchCustom, withEmoji} from './custom';

const emoji = (name: string, extra: Partial<CustomEmoji> = {}): CustomEmoji => ({id: 'id-' + name, creator_id: 'u', name, create_at: 1, delete_at: 0, ...extra});

describe('custom emoji', () => {
    const all = withEmoji({}, [emoji('partyparrot'), emoji('parrot'), emoji('kafana'), emoji('sad_parrot')]);

    it('finds names starting with the query first, then those containing it', () => {
        expect(searchCustom(all, 'parrot').map((e) => e.name)).toEqual(['parrot', 'partyparrot', 'sad_parrot']);
        expect(searchCustom(all, ':par').map((e) => e.name)).toEqual(['parrot', 'partyparrot', 'sad_parrot']);
        expect(searchCustom(all, '').map((e) => e.name)).toEqual(['kafana', 'parrot', 'partyparrot', 'sad_parrot']);
        expect(searchCustom(all, 'zzz')).toEqual([]);
    });

    it('forgets deleted emoji and keeps added ones', () => {
        const next = withEmoji(all, [emoji('parrot', {delete_at: 5}), emoji('new')]);
        expect(Object.keys(next).sort()).toEqual(['kafana', 'new', 'partyparrot', 'sad_parrot']);
    });

    it('checks names before asking the server', () => {
        const taken = (n: string) => n === 'smile';
        expect(nameProblem('party_parrot+1', taken)).toBeNull();
        expect(nameProblem('', taken)).toBe('customEmoji.badName');
        expect(nameProblem('has space', taken)).toBe('customEmoji.badName');
        expect(nameProblem('x'.repeat(65), taken)).toBe('customEmoji.badName');
        expect(nameProblem('smile', taken)).toBe('customEmoji.taken');
    });
});
