// The Markdown renderer, including reliability case D12 (XSS): nothing a post says becomes markup, handlers or
// unsafe links.
import {cleanup, render} from '@testing-library/react';
import {afterEach, describe, expect, it} from 'vitest';
import {Markdown, safeHref} from './Markdown';

const ctx = {mentionKeys: ['ana', 'here', 'channel', 'all'], teamName: 'core'};
const html = (text: string) => render(<Markdown text={text} ctx={ctx} />).container;

afterEach(cleanup);

describe('D12: hostile input stays text', () => {
    it('renders an <img onerror> as text, never as an element', () => {
        const c = html('<img src=x onerror="alert(1)">');
        expect(c.querySelector('img')).toBeNull();
        expect(c.textContent).toContain('<img src=x onerror="alert(1)">');
    });
    it('keeps block HTML and script tags as text', () => {
        const c = html('<div onclick="alert(1)">hi</div>\n\n<script>alert(1)</script>');
        expect(c.querySelector('div[onclick], script')).toBeNull();
        expect(c.textContent).toContain('<script>alert(1)</script>');
    });
    it.each(['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', 'vbscript:msgbox(1)'])(
        'drops the link target %s',
        (target) => {
            const c = html(`[x](${target})`);
            expect(c.querySelector('a')).toBeNull();
            expect(c.textContent).toBe('x');
        },
    );
    it('turns an image with a javascript: source into plain alt text', () => {
        const c = html('![pic](javascript:alert(1))');
        expect(c.querySelector('a, img')).toBeNull();
        expect(c.textContent).toBe('pic');
    });
    it('does not execute HTML inside code blocks', () => {
        const c = html('```\n<img src=x onerror=alert(1)>\n```');
        expect(c.querySelector('img')).toBeNull();
        expect(c.querySelector('pre')?.textContent).toContain('<img src=x onerror=alert(1)>');
    });
    it('opens safe external links without giving them the opener', () => {
        const a = html('[site](https://example.org/a?b=1)').querySelector('a')!;
        expect(a.getAttribute('href')).toBe('https://example.org/a?b=1');
        expect(a.getAttribute('rel')).toContain('noopener');
    });
    it('allows http, https, mailto and same-site paths only', () => {
        expect(safeHref('https://x.org')).toBe('https://x.org/');
        expect(safeHref('mailto:a@b.org')).toBe('mailto:a@b.org');
        expect(safeHref('/core/pl/abc')).toBe('/core/pl/abc');
        expect(safeHref('//evil.org/x')).toBeNull();
        expect(safeHref('data:image/png;base64,AAAA')).toBeNull();
        expect(safeHref('file:///etc/passwd')).toBeNull();
    });
});

describe('Markdown', () => {
    it('renders emphasis, inline code, quotes, lists and tables', () => {
        const c = html('**bold** _it_ `code`\n\n> quoted\n\n- one\n- two\n\n1. first\n\n| a | b |\n|---|---|\n| 1 | 2 |');
        expect(c.querySelector('strong')?.textContent).toBe('bold');
        expect(c.querySelector('em')?.textContent).toBe('it');
        expect(c.querySelector('code')?.textContent).toBe('code');
        expect(c.querySelector('blockquote')?.textContent).toContain('quoted');
        expect(c.querySelectorAll('ul li')).toHaveLength(2);
        expect(c.querySelector('ol li')?.textContent).toBe('first');
        expect(c.querySelectorAll('table td')).toHaveLength(2);
    });
    it('keeps single newlines as line breaks', () => {
        expect(html('a\nb').querySelector('br')).not.toBeNull();
    });
    it('highlights mentions of the reader and links channels and emoji', () => {
        const c = html('hi @ana and @bob, see ~town-square :+1: mail ana@example.org');
        const mentions = [...c.querySelectorAll('.mention')].map((m) => [m.textContent, m.classList.contains('mention-me')]);
        expect(mentions).toEqual([
            ['@ana', true],
            ['@bob', false],
        ]);
        expect(c.querySelector('a.channel-link')?.getAttribute('href')).toBe('/core/channels/town-square');
        expect(c.querySelector('.emoji')?.textContent).toBe('👍');
    });
    it('highlights @here for everyone', () => {
        expect(html('@here lunch?').querySelector('.mention-me')?.textContent).toBe('@here');
    });
});
