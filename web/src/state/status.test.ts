// Do-not-disturb end times and custom statuses: what the status menu sends, and what it shows.
import {describe, expect, it} from 'vitest';
import type {User} from '../api/types';
import {customExpiry, customStatusOf, dndEndTime} from './status';

// Tuesday 1 December 2026, 14:20 local time.
const now = new Date(2026, 11, 1, 14, 20, 0, 0);
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

describe('dndEndTime', () => {
    it('adds the chosen minutes, in seconds as the API wants', () => {
        expect(dndEndTime('thirty_minutes', now)).toBe(seconds(now) + 30 * 60);
        expect(dndEndTime('two_hours', now)).toBe(seconds(now) + 2 * 3600);
    });
    it('ends "tomorrow" at nine the next morning, local time', () => {
        expect(dndEndTime('tomorrow', now)).toBe(seconds(new Date(2026, 11, 2, 9, 0, 0, 0)));
        expect(dndEndTime('tomorrow', new Date(2026, 11, 31, 23, 30))).toBe(seconds(new Date(2027, 0, 1, 9, 0, 0, 0)));
    });
    it('has no end until turned off', () => {
        expect(dndEndTime('forever', now)).toBe(0);
    });
});

describe('customExpiry', () => {
    it('counts from now, or ends the day or the week (Sunday)', () => {
        expect(customExpiry('four_hours', now)).toBe(now.getTime() + 4 * 3_600_000);
        expect(customExpiry('today', now)).toBe(new Date(2026, 11, 1, 23, 59, 59, 999).getTime());
        expect(customExpiry('this_week', now)).toBe(new Date(2026, 11, 6, 23, 59, 59, 999).getTime());
        expect(customExpiry('this_week', new Date(2026, 11, 6, 10))).toBe(new Date(2026, 11, 6, 23, 59, 59, 999).getTime());
    });
    it('takes the chosen time for date_and_time, and none without a duration', () => {
        const chosen = new Date(2026, 11, 3, 8, 15);
        expect(customExpiry('date_and_time', now, chosen)).toBe(chosen.getTime());
        expect(customExpiry('', now, chosen)).toBe(0);
    });
});

describe('customStatusOf', () => {
    const user = (customStatus?: string) => ({id: 'u', username: 'ana', props: customStatus === undefined ? {} : {customStatus}}) as unknown as User;
    it('reads the JSON Mattermost keeps in props', () => {
        expect(customStatusOf(user('{"emoji":"palm_tree","text":"Away","duration":"","expires_at":"0001-01-01T00:00:00Z"}'), now.getTime())).toMatchObject({emoji: 'palm_tree', text: 'Away'});
    });
    it('drops one that has run out', () => {
        const json = JSON.stringify({emoji: 'calendar', text: 'Meeting', duration: 'one_hour', expires_at: new Date(now.getTime() - 1000).toISOString()});
        expect(customStatusOf(user(json), now.getTime())).toBeNull();
        expect(customStatusOf(user(json), now.getTime() - 60_000)).not.toBeNull();
    });
    it('ignores none, broken JSON and empty ones', () => {
        expect(customStatusOf(user(), now.getTime())).toBeNull();
        expect(customStatusOf(user('{oops'), now.getTime())).toBeNull();
        expect(customStatusOf(user('{"emoji":"","text":""}'), now.getTime())).toBeNull();
        expect(customStatusOf(undefined, now.getTime())).toBeNull();
    });
});
