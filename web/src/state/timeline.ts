// What the channel view draws: day separators, the "new messages" line before the first unread post, and
// consecutive posts by one person within five minutes grouped under one name.
import type {Post} from '../api/types';

export type TimelineItem =
    | {kind: 'day'; key: string; at: number}
    | {kind: 'new'; key: string}
    | {kind: 'post'; key: string; post: Post; continuation: boolean};

const GROUP_WINDOW_MS = 5 * 60 * 1000;

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of a time in a time zone (formatters are costly to build: one per zone). */
export function dayKey(at: number, timeZone: string | undefined): string {
    const zone = timeZone ?? '';
    let format = dayFormats.get(zone);
    if (!format) {
        format = new Intl.DateTimeFormat('en-CA', {timeZone, year: 'numeric', month: '2-digit', day: '2-digit'});
        dayFormats.set(zone, format);
    }
    return format.format(at);
}

export const isSystem = (post: Post) => post.type.startsWith('system_');
/** The name an integration's post shows instead of its author's (webhooks, bridges: `override_username`,
 * which the server keeps only on integrations' posts and only when the overrides are allowed). */
export function overrideName(post: Post): string {
    const name = post.props?.override_username;
    return post.props?.from_webhook === 'true' && typeof name === 'string' ? name : '';
}

/** Shown to this user only (a command's answer, a notice): stored nowhere, so it takes no actions. */
export const isEphemeral = (post: Post) => post.type.startsWith('system_ephemeral');

export function buildTimeline(posts: Post[], opts: {lastViewedAt: number; meId: string; timeZone?: string}): TimelineItem[] {
    const items: TimelineItem[] = [];
    let prev: Post | undefined;
    let prevDay = '';
    let newLineDone = opts.lastViewedAt <= 0;
    for (const post of posts) {
        const day = dayKey(post.create_at, opts.timeZone);
        let breakGroup = false;
        if (day !== prevDay) {
            items.push({kind: 'day', key: 'day-' + day, at: post.create_at});
            prevDay = day;
            breakGroup = true;
        }
        if (!newLineDone && post.create_at > opts.lastViewedAt && post.user_id !== opts.meId) {
            items.push({kind: 'new', key: 'new-messages'});
            newLineDone = true;
            breakGroup = true;
        }
        const continuation =
            !breakGroup &&
            !!prev &&
            prev.user_id === post.user_id &&
            overrideName(prev) === overrideName(post) &&
            !isSystem(prev) &&
            !isSystem(post) &&
            post.create_at - prev.create_at < GROUP_WINDOW_MS;
        items.push({kind: 'post', key: post.id, post, continuation});
        prev = post;
    }
    return items;
}
