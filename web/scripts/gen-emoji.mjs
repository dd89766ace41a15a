// Generates src/emoji/emoji-data.json from emoji-datasource (the data Mattermost's emoji names come from):
// [name, aliases, unicode, category] per emoji, in the standard order. Run by `npm run build` and `npm test`.
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const require = createRequire(import.meta.url);
const source = require('emoji-datasource/emoji.json');
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'emoji', 'emoji-data.json');

const toChars = (unified) => String.fromCodePoint(...unified.split('-').map((h) => parseInt(h, 16)));
const rows = source
    .filter((e) => e.category !== 'Component')
    .sort((a, b) => a.sort_order - b.sort_order)
    .map((e) => [e.short_name, e.short_names.filter((n) => n !== e.short_name), toChars(e.unified), e.category]);
mkdirSync(dirname(out), {recursive: true});
const text = JSON.stringify(rows);
try {
    if (readFileSync(out, 'utf8') === text) process.exit(0);
} catch {
    // first run
}
writeFileSync(out, text);
console.log(`emoji: ${rows.length} written to src/emoji/emoji-data.json`);
