// CI check: every shipped locale has exactly English's keys, each message parses as ICU, and uses the same
// arguments (a translation that drops {count} or renames {name} would show the wrong thing).
import {parse, TYPE, type MessageFormatElement} from '@formatjs/icu-messageformat-parser';
import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {LOCALES, matchLocale} from './locales';

const dir = join(__dirname, 'locales');
const read = (code: string): Record<string, string> => JSON.parse(readFileSync(join(dir, code + '.json'), 'utf8'));
const en = read('en');

function argumentsOf(elements: MessageFormatElement[], out = new Set<string>()): Set<string> {
    for (const el of elements) {
        if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) out.add(el.value);
        if (el.type === TYPE.plural || el.type === TYPE.select) {
            out.add(el.value);
            Object.values(el.options).forEach((o) => argumentsOf(o.value, out));
        }
        if (el.type === TYPE.tag) {
            out.add('<' + el.value + '>');
            argumentsOf(el.children, out);
        }
    }
    return out;
}

describe('locales', () => {
    it('has a file for every listed locale and lists every file', () => {
        const files = readdirSync(dir).map((f) => f.replace(/\.json$/, '')).sort();
        expect(files).toEqual(LOCALES.map((l) => l.code).sort());
    });

    for (const {code} of LOCALES) {
        it(`${code} has every English key, and no other`, () => {
            const messages = read(code);
            expect(Object.keys(messages).sort()).toEqual(Object.keys(en).sort());
        });
        it(`${code} messages parse and keep English's arguments`, () => {
            const messages = read(code);
            for (const [key, text] of Object.entries(messages)) {
                expect(text.trim(), key).not.toBe('');
                const args = [...argumentsOf(parse(text))].sort();
                expect(args, `${code}: ${key}`).toEqual([...argumentsOf(parse(en[key]))].sort());
            }
        });
    }

    it('matches requested locales to shipped ones', () => {
        expect(matchLocale('de-AT')).toBe(LOCALES.some((l) => l.code === 'de') ? 'de' : 'en');
        expect(matchLocale('xx')).toBe('en');
        expect(matchLocale(undefined)).toBe('en');
    });
});
