// Emoji by Mattermost's names (emoji-datasource short names), generated at build time (scripts/gen-emoji.mjs).
import data from './emoji-data.json';

export interface Emoji {
    name: string;
    aliases: string[];
    char: string;
    category: string;
}

export const EMOJI: Emoji[] = (data as [string, string[], string, string][]).map(([name, aliases, char, category]) => ({name, aliases, char, category}));

const byName = new Map<string, string>();
for (const e of EMOJI) {
    byName.set(e.name, e.char);
    for (const a of e.aliases) byName.set(a, e.char);
}

export const emojiChar = (name: string): string | undefined => byName.get(name);

/** Emoji whose name or alias contains the query, names starting with it first. */
export function searchEmoji(query: string, limit = 200): Emoji[] {
    const q = query.toLowerCase().replace(/^:|:$/g, '');
    if (!q) return EMOJI.slice(0, limit);
    const starts: Emoji[] = [];
    const contains: Emoji[] = [];
    for (const e of EMOJI) {
        const names = [e.name, ...e.aliases];
        if (names.some((n) => n.startsWith(q))) starts.push(e);
        else if (names.some((n) => n.includes(q))) contains.push(e);
    }
    return [...starts, ...contains].slice(0, limit);
}
