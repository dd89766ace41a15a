// The search box's pure logic: which part of the query the caret is in (for syntax hints and from:/in:
// autocomplete), putting a suggestion in, the words of a query, highlighting, and the mention-key search
// behind "Recent mentions". The server parses the query; this only helps to write it.
import type {User} from '../api/types';

/** The syntax hints shown while the current word is empty or starts one of them; `insert` is what a pick types. */
export const HINTS = [
    {insert: 'from:', key: 'search.hint.from'},
    {insert: 'in:', key: 'search.hint.in'},
    {insert: 'on:', key: 'search.hint.on'},
    {insert: 'before:', key: 'search.hint.before'},
    {insert: 'after:', key: 'search.hint.after'},
    {insert: '-', key: 'search.hint.exclude'},
    {insert: '"', key: 'search.hint.phrase'},
] as const;

export type Hint = (typeof HINTS)[number];

export interface Word {
    start: number;
    end: number;
    text: string;
}

/** The whitespace-separated word the caret is in or just after. */
export function wordAt(text: string, caret: number): Word {
    let start = caret;
    while (start > 0 && !/\s/.test(text[start - 1])) start--;
    let end = caret;
    while (end < text.length && !/\s/.test(text[end])) end++;
    return {start, end, text: text.slice(start, end)};
}

export interface Completion {
    kind: 'user' | 'channel';
    /** What is typed after the flag, without its @ or ~. */
    prefix: string;
    /** Where the value goes (after `from:` or `in:`). */
    start: number;
    end: number;
}

const FLAG = /^-?(from|in|channel):([@~]?)(.*)$/i;

/** A `from:` or `in:` (also `-from:`, `channel:`) being typed at the caret: what to complete, or null. */
export function completionAt(text: string, caret: number): Completion | null {
    const word = wordAt(text, caret);
    const match = FLAG.exec(word.text);
    if (!match) return null;
    const [, flag, sigil, value] = match;
    const start = word.start + word.text.length - value.length - sigil.length;
    return {kind: flag.toLowerCase() === 'from' ? 'user' : 'channel', prefix: value, start, end: word.end};
}

/** The hints that fit the word at the caret (all of them for an empty word); none inside a flag's value. */
export function hintsAt(text: string, caret: number): Hint[] {
    const word = wordAt(text, caret).text.toLowerCase();
    if (word === '') return [...HINTS];
    if (word.includes(':') || word.startsWith('-') || word.startsWith('"')) return [];
    return HINTS.filter((h) => h.insert.length > 1 && h.insert.startsWith(word) && h.insert !== word);
}

/** The query with `value` put in at `range` and a space after it; the caret goes after that space. */
export function insertAt(text: string, range: {start: number; end: number}, value: string, space = true): {text: string; caret: number} {
    const after = text.slice(range.end);
    const glue = space && !after.startsWith(' ') ? ' ' : '';
    const next = text.slice(0, range.start) + value + glue + after;
    return {text: next, caret: range.start + value.length + (space ? 1 : 0)};
}

/** A picked hint replaces the word at the caret (so `fr` becomes `from:`), with no space after it. */
export function applyHint(text: string, caret: number, hint: Hint): {text: string; caret: number} {
    return insertAt(text, wordAt(text, caret), hint.insert, false);
}

/** Seconds east of UTC, as Mattermost's clients send `time_zone_offset`. */
export function timeZoneOffset(date = new Date()): number {
    return -date.getTimezoneOffset() * 60;
}

// ---------- highlighting ----------

export interface Segment {
    text: string;
    match: boolean;
}

const TOKEN = /[\p{L}\p{M}\p{N}]+/gu;
const ONE_TOKEN = /^[\p{L}\p{M}\p{N}]+$/u;
const CJK = /[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]/u;

/** Lower case without the accents of Latin letters, as the server compares words (é = e). */
export function fold(word: string): string {
    return word
        .toLowerCase()
        .normalize('NFD')
        .replace(/([a-z])[\u0300-\u036f]+/g, '$1')
        .normalize('NFC');
}

/** `text` cut into plain and matched pieces. `words` are whole words (a server's `matches`, or a query's
 * words); `prefixes` match the start of words; a word with punctuation or Chinese/Japanese/Korean letters
 * (`#tag-2`, `东京`) matches wherever it occurs. */
export function highlight(text: string, words: readonly string[], prefixes: readonly string[] = []): Segment[] {
    const ranges: [number, number][] = [];
    const exact = new Set<string>();
    const lower = text.toLowerCase();
    for (const word of words) {
        if (!word) continue;
        if (ONE_TOKEN.test(word) && !CJK.test(word)) {
            exact.add(fold(word));
            continue;
        }
        const needle = word.toLowerCase();
        for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, at + needle.length)) ranges.push([at, at + needle.length]);
    }
    const folded = prefixes.map(fold).filter(Boolean);
    if (exact.size || folded.length) {
        for (const m of text.matchAll(TOKEN)) {
            const token = fold(m[0]);
            if (exact.has(token) || folded.some((p) => token.startsWith(p))) ranges.push([m.index, m.index + m[0].length]);
        }
    }
    ranges.sort((a, b) => a[0] - b[0]);
    const out: Segment[] = [];
    let pos = 0;
    for (const [start, end] of ranges) {
        if (end <= pos) continue;
        const from = Math.max(start, pos);
        if (from > pos) out.push({text: text.slice(pos, from), match: false});
        out.push({text: text.slice(from, end), match: true});
        pos = end;
    }
    if (pos < text.length || out.length === 0) out.push({text: text.slice(pos), match: false});
    return out;
}

/** The words a query looks for (not its filters or exclusions): whole words, and the stems of `word*`. */
export function queryWords(terms: string): {words: string[]; prefixes: string[]} {
    const words: string[] = [];
    const prefixes: string[] = [];
    for (const part of terms.match(/-?"[^"]*"|\S+/g) ?? []) {
        if (part.startsWith('-') || /^[a-z]+:/i.test(part)) continue;
        const quoted = part.startsWith('"');
        const body = quoted ? part.slice(1, -1) : part;
        const tokens = body.match(TOKEN) ?? [];
        if (!quoted && body.endsWith('*') && tokens.length) prefixes.push(tokens.pop()!);
        words.push(...tokens);
    }
    return {words, prefixes};
}

// ---------- recent mentions ----------

/** The search behind "Recent mentions", as Mattermost's client builds it: the user's mention keys (their
 * @username, their first name when that notifies them, their own keys) with `is_or_search`. Channel-wide
 * mentions (@channel, @all, @here) are left out. */
export function mentionTerms(user: Pick<User, 'username' | 'first_name'> & {notify_props?: Record<string, string>}): string {
    const keys = ['@' + user.username];
    const props = user.notify_props ?? {};
    if (props.first_name === 'true' && user.first_name) keys.push(user.first_name);
    for (const key of (props.mention_keys ?? '').split(',')) {
        const k = key.trim();
        if (k && !['@channel', '@all', '@here'].includes(k.toLowerCase())) keys.push(k);
    }
    const unique = keys.filter((k, i) => keys.findIndex((other) => other.toLowerCase() === k.toLowerCase()) === i);
    return unique.map((k) => (/\s/.test(k) ? `"${k}"` : k)).join(' ');
}

// ---------- grouping ----------

/** Results newest first, cut into runs of one channel, each labelled once. */
export function groupByChannel<T extends {channel_id: string}>(items: readonly T[]): {channelId: string; items: T[]}[] {
    const groups: {channelId: string; items: T[]}[] = [];
    for (const item of items) {
        const last = groups[groups.length - 1];
        if (last && last.channelId === item.channel_id) last.items.push(item);
        else groups.push({channelId: item.channel_id, items: [item]});
    }
    return groups;
}
