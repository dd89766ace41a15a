// Custom emoji (the server's /emoji): held by name in the store, loaded once at start and kept current by the
// `emoji_added` event; they render as images from /api/v4/emoji/{id}/image.
import type {CustomEmoji} from '../api/types';

export const customEmojiUrl = (id: string) => `/api/v4/emoji/${id}/image`;

// The names the server accepts (Mattermost's rule): 1–64 of a-z, 0-9, _, - and +.
export const CUSTOM_NAME = /^[a-z0-9_+-]{1,64}$/;

/** Why a name cannot be used (an i18n key), or null. Names of standard emoji are taken. */
export function nameProblem(name: string, taken: (name: string) => boolean): string | null {
    if (!CUSTOM_NAME.test(name)) return 'customEmoji.badName';
    if (taken(name)) return 'customEmoji.taken';
    return null;
}

/** Custom emoji whose name contains the query, those starting with it first, each group by name. */
export function searchCustom(all: Record<string, CustomEmoji>, query: string, limit = 200): CustomEmoji[] {
    const q = query.toLowerCase().replace(/^:|:$/g, '');
    const list = Object.values(all).sort((a, b) => (a.name < b.name ? -1 : 1));
    if (!q) return list.slice(0, limit);
    return [...list.filter((e) => e.name.startsWith(q)), ...list.filter((e) => !e.name.startsWith(q) && e.name.includes(q))].slice(0, limit);
}

export function withEmoji(all: Record<string, CustomEmoji>, list: CustomEmoji[]): Record<string, CustomEmoji> {
    const next = {...all};
    for (const e of list) {
        if (e.delete_at) delete next[e.name];
        else next[e.name] = e;
    }
    return next;
}
