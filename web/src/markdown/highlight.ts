// highlight.js with the languages people paste most, in a chunk of its own (loaded with the first code block).
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

for (const [name, lang] of Object.entries({bash, c, cpp, css, diff, go, java, javascript, json, python, rust, sql, typescript, xml, yaml})) {
    hljs.registerLanguage(name, lang);
}

export function highlight(code: string, lang: string): string | null {
    if (!hljs.getLanguage(lang)) return null;
    return hljs.highlight(code, {language: lang, ignoreIllegals: true}).value;
}
