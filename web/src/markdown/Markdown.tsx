// Markdown to React elements, never to an HTML string: raw HTML shows as text, links keep only allow-listed
// schemes, images become links (no remote loads), and @mentions, ~channels and :emoji: are recognised in text.
import {Lexer, type Token, type Tokens} from 'marked';
import {Fragment, type ReactNode, useEffect, useMemo, useState} from 'react';
import {EmojiGlyph} from '../emoji/Glyph';

export interface MarkdownContext {
    /** Words that mention the reader (their @username, @here, @channel, @all). */
    mentionKeys: string[];
    /** The team's name for ~channel links. */
    teamName: string;
    onMentionClick?: (username: string, target: HTMLElement) => void;
}

const SAFE_SCHEMES = ['http:', 'https:', 'mailto:'];

/** The URL if it is safe to link to (http, https, mailto, or a same-site path), else null. */
export function safeHref(href: string): string | null {
    const trimmed = href.trim();
    if (trimmed.startsWith('/') && !trimmed.startsWith('//')) return trimmed;
    try {
        const url = new URL(trimmed);
        return SAFE_SCHEMES.includes(url.protocol) ? url.href : null;
    } catch {
        return null;
    }
}

export function Markdown({text, ctx}: {text: string; ctx: MarkdownContext}) {
    const rendered = useMemo(() => blocks(Lexer.lex(text, {gfm: true, breaks: true}), ctx), [text, ctx]);
    return <div className="md">{rendered}</div>;
}

function blocks(tokens: Token[], ctx: MarkdownContext): ReactNode[] {
    return tokens.map((t, i) => block(t, ctx, i));
}

function block(token: Token, ctx: MarkdownContext, key: number): ReactNode {
    switch (token.type) {
        case 'space':
        case 'def':
            return null;
        case 'paragraph':
            return <p key={key}>{inline((token as Tokens.Paragraph).tokens, ctx)}</p>;
        case 'heading': {
            const h = token as Tokens.Heading;
            const Tag = `h${Math.min(6, h.depth + 2)}` as 'h3';
            return <Tag key={key}>{inline(h.tokens, ctx)}</Tag>;
        }
        case 'code': {
            const c = token as Tokens.Code;
            return <CodeBlock key={key} code={c.text} lang={(c.lang ?? '').split(/\s/)[0]} />;
        }
        case 'blockquote':
            return <blockquote key={key}>{blocks((token as Tokens.Blockquote).tokens, ctx)}</blockquote>;
        case 'list': {
            const l = token as Tokens.List;
            const items = l.items.map((item, i) => (
                <li key={i}>
                    {item.task && <input type="checkbox" checked={!!item.checked} readOnly disabled aria-label={item.checked ? '☑' : '☐'} />}
                    {item.loose ? blocks(item.tokens, ctx) : item.tokens.map((t, j) => (t.type === 'text' && 'tokens' in t && t.tokens ? <Fragment key={j}>{inline(t.tokens, ctx)}</Fragment> : block(t, ctx, j)))}
                </li>
            ));
            return l.ordered ? (
                <ol key={key} start={typeof l.start === 'number' ? l.start : undefined}>
                    {items}
                </ol>
            ) : (
                <ul key={key}>{items}</ul>
            );
        }
        case 'table': {
            const tb = token as Tokens.Table;
            const align = (i: number) => tb.align[i] ?? undefined;
            return (
                <div key={key} className="md-table">
                    <table>
                        <thead>
                            <tr>
                                {tb.header.map((c, i) => (
                                    <th key={i} style={{textAlign: align(i)}}>
                                        {inline(c.tokens, ctx)}
                                    </th>
                                ))}
                            </tr>
                        </thead>
                        <tbody>
                            {tb.rows.map((row, r) => (
                                <tr key={r}>
                                    {row.map((c, i) => (
                                        <td key={i} style={{textAlign: align(i)}}>
                                            {inline(c.tokens, ctx)}
                                        </td>
                                    ))}
                                </tr>
                            ))}
                        </tbody>
                    </table>
                </div>
            );
        }
        case 'hr':
            return <hr key={key} />;
        case 'html':
            return <p key={key}>{(token as Tokens.HTML).text}</p>;
        case 'text': {
            const tx = token as Tokens.Text;
            return <p key={key}>{tx.tokens ? inline(tx.tokens, ctx) : decorate(tx.text, ctx)}</p>;
        }
        default:
            return 'raw' in token ? <p key={key}>{String(token.raw)}</p> : null;
    }
}

function inline(tokens: Token[] | undefined, ctx: MarkdownContext): ReactNode[] {
    return (tokens ?? []).map((t, i) => inlineToken(t, ctx, i));
}

function inlineToken(token: Token, ctx: MarkdownContext, key: number): ReactNode {
    switch (token.type) {
        case 'text': {
            const tx = token as Tokens.Text;
            return <Fragment key={key}>{tx.tokens ? inline(tx.tokens, ctx) : decorate(tx.text, ctx)}</Fragment>;
        }
        case 'escape':
            return <Fragment key={key}>{(token as Tokens.Escape).text}</Fragment>;
        case 'strong':
            return <strong key={key}>{inline((token as Tokens.Strong).tokens, ctx)}</strong>;
        case 'em':
            return <em key={key}>{inline((token as Tokens.Em).tokens, ctx)}</em>;
        case 'del':
            return <del key={key}>{inline((token as Tokens.Del).tokens, ctx)}</del>;
        case 'codespan':
            return <code key={key}>{(token as Tokens.Codespan).text}</code>;
        case 'br':
            return <br key={key} />;
        case 'link': {
            const l = token as Tokens.Link;
            const href = safeHref(l.href);
            const children = inline(l.tokens, ctx);
            if (!href) return <Fragment key={key}>{children.length ? children : l.text}</Fragment>;
            const external = !href.startsWith('/');
            return (
                <a key={key} href={href} title={l.title ?? undefined} {...(external ? {target: '_blank', rel: 'noopener noreferrer nofollow'} : {})}>
                    {children}
                </a>
            );
        }
        case 'image': {
            const img = token as Tokens.Image;
            const href = safeHref(img.href);
            return href ? (
                <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow">
                    {img.text || href}
                </a>
            ) : (
                <Fragment key={key}>{img.text}</Fragment>
            );
        }
        case 'html':
            return <Fragment key={key}>{(token as Tokens.HTML).text}</Fragment>;
        default:
            return <Fragment key={key}>{'raw' in token ? String(token.raw) : ''}</Fragment>;
    }
}

const SPECIAL = /(@[a-z0-9][a-z0-9._-]*[a-z0-9_]|@[a-z0-9])|(~[a-z0-9][a-z0-9_-]*)|(:[a-z0-9_+-]+:)/gi;

/** Mentions, channel links and emoji shortcodes inside plain text. */
function decorate(text: string, ctx: MarkdownContext): ReactNode[] {
    const out: ReactNode[] = [];
    let last = 0;
    for (const m of text.matchAll(SPECIAL)) {
        const at = m.index ?? 0;
        if (at > 0 && /[\w@~:]/.test(text[at - 1])) continue; // inside a word or an e-mail address
        if (at > last) out.push(text.slice(last, at));
        const [whole, mention, channel, emoji] = m;
        if (mention) {
            const name = mention.slice(1).toLowerCase();
            const mine = ctx.mentionKeys.includes(name);
            out.push(
                <span
                    key={at}
                    className={mine ? 'mention mention-me' : 'mention'}
                    role="button"
                    tabIndex={0}
                    onClick={(e) => ctx.onMentionClick?.(name, e.currentTarget)}
                    onKeyDown={(e) => e.key === 'Enter' && ctx.onMentionClick?.(name, e.currentTarget)}
                >
                    {whole}
                </span>,
            );
        } else if (channel) {
            out.push(
                <a key={at} href={`/${encodeURIComponent(ctx.teamName)}/channels/${encodeURIComponent(channel.slice(1).toLowerCase())}`} className="channel-link">
                    {whole}
                </a>,
            );
        } else if (emoji) {
            out.push(<EmojiGlyph key={at} name={emoji.slice(1, -1)} />);
        }
        last = at + whole.length;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
}

type Highlighter = (code: string, lang: string) => string | null;
let highlighter: Promise<Highlighter> | null = null;

function loadHighlighter(): Promise<Highlighter> {
    highlighter ??= import('./highlight').then((m) => m.highlight);
    return highlighter;
}

/** A fenced code block: plain text at once, highlighted when the highlighter chunk has loaded. highlight.js
 * escapes the code and adds only `<span class>` elements, so its HTML is the one string set as HTML. */
function CodeBlock({code, lang}: {code: string; lang: string}) {
    const [html, setHtml] = useState<string | null>(null);
    useEffect(() => {
        let live = true;
        if (lang) loadHighlighter().then((h) => live && setHtml(h(code, lang)));
        return () => {
            live = false;
        };
    }, [code, lang]);
    return (
        <pre className="code-block" data-lang={lang || undefined} tabIndex={0}>
            {html !== null ? <code className="hljs" dangerouslySetInnerHTML={{__html: html}} /> : <code>{code}</code>}
        </pre>
    );
}
