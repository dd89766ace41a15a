import {describe, expect, it} from 'vitest';
import {applyHint, completionAt, fold, groupByChannel, highlight, hintsAt, HINTS, insertAt, mentionTerms, queryWords, timeZoneOffset, wordAt} from './query';

const marked = (text: string, words: string[], prefixes: string[] = []) =>
    highlight(text, words, prefixes)
        .filter((s) => s.match)
        .map((s) => s.text);

describe('the word at the caret', () => {
    it('spans the non-space run around the caret', () => {
        expect(wordAt('cats from:al dogs', 11)).toEqual({start: 5, end: 12, text: 'from:al'});
        expect(wordAt('cats ', 5)).toEqual({start: 5, end: 5, text: ''});
        expect(wordAt('', 0)).toEqual({start: 0, end: 0, text: ''});
    });
});

describe('from: and in: completion', () => {
    it('completes users after from: and channels after in:, with or without their sigil', () => {
        expect(completionAt('plan from:al', 12)).toEqual({kind: 'user', prefix: 'al', start: 10, end: 12});
        expect(completionAt('from:@al', 8)).toEqual({kind: 'user', prefix: 'al', start: 5, end: 8});
        expect(completionAt('-in:~tow x', 8)).toEqual({kind: 'channel', prefix: 'tow', start: 4, end: 8});
        expect(completionAt('channel:', 8)).toEqual({kind: 'channel', prefix: '', start: 8, end: 8});
        expect(completionAt('FROM:Bo', 7)?.kind).toBe('user');
    });
    it('is nothing elsewhere', () => {
        expect(completionAt('plan from:al', 3)).toBeNull();
        expect(completionAt('on:2024', 7)).toBeNull();
        expect(completionAt('fromage', 7)).toBeNull();
    });
    it('puts the pick in place of what was typed, with a space after it', () => {
        const c = completionAt('plan from:al cake', 12)!;
        expect(insertAt('plan from:al cake', c, 'alice')).toEqual({text: 'plan from:alice cake', caret: 16});
        const end = completionAt('in:', 3)!;
        expect(insertAt('in:', end, 'town-square')).toEqual({text: 'in:town-square ', caret: 15});
    });
});

describe('syntax hints', () => {
    it('lists every hint for an empty word and the fitting ones for a started flag', () => {
        expect(hintsAt('', 0)).toEqual([...HINTS]);
        expect(hintsAt('cats ', 5)).toHaveLength(HINTS.length);
        expect(hintsAt('cats fr', 7).map((h) => h.insert)).toEqual(['from:']);
        expect(hintsAt('b', 1).map((h) => h.insert)).toEqual(['before:']);
        expect(hintsAt('cats', 4)).toEqual([]);
        expect(hintsAt('from:', 5)).toEqual([]);
        expect(hintsAt('-x', 2)).toEqual([]);
    });
    it('a picked hint replaces the word at the caret', () => {
        const after = HINTS.find((h) => h.insert === 'after:')!;
        expect(applyHint('cats af', 7, after)).toEqual({text: 'cats after:', caret: 11});
        expect(applyHint('', 0, HINTS.find((h) => h.insert === '"')!)).toEqual({text: '"', caret: 1});
    });
});

describe('highlighting', () => {
    it("marks the server's matched words as whole words, ignoring case", () => {
        expect(highlight('The plan: Plans for the PLAN', ['plan'])).toEqual([
            {text: 'The ', match: false},
            {text: 'plan', match: true},
            {text: ': Plans for the ', match: false},
            {text: 'PLAN', match: true},
        ]);
    });
    it('keeps accents as written and matches hashtags and CJK by substring', () => {
        expect(marked('Rendez-vous au Café Zürich', ['Café', 'Zürich'])).toEqual(['Café', 'Zürich']);
        expect(marked('resume of the Résumé', ['resume'])).toEqual(['resume', 'Résumé']);
        expect(marked('deploy #Ops-2024 done, ops', ['#Ops-2024'])).toEqual(['#Ops-2024']);
        expect(marked('我们明天在东京都开会', ['东京'])).toEqual(['东京']);
    });
    it('marks word starts for prefixes, merges overlaps, and leaves unmatched text whole', () => {
        expect(marked('releasing the release', [], ['releas'])).toEqual(['releasing', 'release']);
        expect(marked('a plan', ['plan', 'pl'], ['pla'])).toEqual(['plan']);
        expect(highlight('nothing here', ['x'])).toEqual([{text: 'nothing here', match: false}]);
        expect(highlight('', ['x'])).toEqual([{text: '', match: false}]);
        expect(highlight('<b>x</b>', ['b']).map((s) => s.text).join('')).toBe('<b>x</b>');
    });
    it('folds like the server for comparisons', () => {
        expect(fold('ÉCOLE')).toBe('ecole');
        expect(fold('が')).toBe('が');
    });
});

describe('query words', () => {
    it('keeps words, phrases and prefixes; drops filters and exclusions', () => {
        expect(queryWords('report_2024 "final draft" quart* -old from:bob ext:pdf in:town')).toEqual({words: ['report', '2024', 'final', 'draft'], prefixes: ['quart']});
        expect(queryWords('')).toEqual({words: [], prefixes: []});
    });
});

describe('recent mentions', () => {
    it("searches the user's mention keys, quoting those with spaces, without channel-wide ones", () => {
        expect(mentionTerms({username: 'ana', first_name: 'Ana'})).toBe('@ana');
        const props = {first_name: 'true', mention_keys: 'ana,design team, @channel ,@here'};
        expect(mentionTerms({username: 'ana', first_name: 'Ana', notify_props: props})).toBe('@ana Ana "design team"');
    });
});

describe('grouping by channel', () => {
    it('cuts results into runs of one channel, keeping their order', () => {
        const posts = [{id: '1', channel_id: 'a'}, {id: '2', channel_id: 'a'}, {id: '3', channel_id: 'b'}, {id: '4', channel_id: 'a'}];
        expect(groupByChannel(posts).map((g) => [g.channelId, g.items.map((p) => p.id)])).toEqual([
            ['a', ['1', '2']],
            ['b', ['3']],
            ['a', ['4']],
        ]);
    });
});

describe('time zone offset', () => {
    it('is seconds east of UTC', () => {
        const date = new Date();
        expect(timeZoneOffset(date)).toBe(-date.getTimezoneOffset() * 60);
    });
});
