// Statuses you choose: how long do-not-disturb lasts, and custom statuses (emoji + text + expiry) as
// Mattermost keeps them in the user's props. Pure: the clock is passed in.
import type {CustomStatus, User} from '../api/types';

export const STATUSES = ['online', 'away', 'dnd', 'offline'] as const;
export type StatusName = (typeof STATUSES)[number];

export const DND_CHOICES = ['thirty_minutes', 'one_hour', 'two_hours', 'tomorrow', 'forever'] as const;
export type DndChoice = (typeof DND_CHOICES)[number];

/** When a do-not-disturb chosen now ends, in seconds (the API's unit); 0 for no end. "Tomorrow" ends at
 * 9:00 the next morning, local time, as in Mattermost. */
export function dndEndTime(choice: DndChoice, now: Date): number {
    const minutes = {thirty_minutes: 30, one_hour: 60, two_hours: 120}[choice as string];
    if (minutes) return Math.floor(now.getTime() / 1000) + minutes * 60;
    if (choice === 'tomorrow') {
        const end = new Date(now);
        end.setDate(end.getDate() + 1);
        end.setHours(9, 0, 0, 0);
        return Math.floor(end.getTime() / 1000);
    }
    return 0;
}

export const CUSTOM_DURATIONS = ['', 'thirty_minutes', 'one_hour', 'four_hours', 'today', 'this_week', 'date_and_time'] as const;
export type CustomDuration = CustomStatus['duration'];

/** The expiry the client computes for a custom status (the server only checks it): ms since the epoch, 0 for
 * none. Today and this week end at the last millisecond of the day (this week: of Sunday), local time. */
export function customExpiry(duration: CustomDuration, now: Date, chosen?: Date): number {
    const minutes = {thirty_minutes: 30, one_hour: 60, four_hours: 240}[duration as string];
    if (minutes) return now.getTime() + minutes * 60_000;
    if (duration === 'today' || duration === 'this_week') {
        const end = new Date(now);
        if (duration === 'this_week') end.setDate(end.getDate() + ((7 - end.getDay()) % 7));
        end.setHours(23, 59, 59, 999);
        return end.getTime();
    }
    if (duration === 'date_and_time') return chosen ? chosen.getTime() : 0;
    return 0;
}

/** A user's current custom status, or null when there is none or it has run out. */
export function customStatusOf(user: User | undefined, now: number): CustomStatus | null {
    const raw = user?.props?.customStatus;
    if (!raw) return null;
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        return null;
    }
    if (!parsed || typeof parsed !== 'object') return null;
    const cs = parsed as CustomStatus;
    if (typeof cs.emoji !== 'string' || typeof cs.text !== 'string' || (!cs.emoji && !cs.text)) return null;
    const expires = cs.expires_at ? Date.parse(cs.expires_at) : NaN;
    if (cs.duration && expires > 0 && expires <= now) return null;
    return cs;
}
