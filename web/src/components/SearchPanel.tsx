import {type ReactNode, useCallback, useEffect, useRef, useState} from 'react';
import {useIntl} from 'react-intl';
import {client} from '../api/client';
import type {WsEvent} from '../api/socket';
import type {FileInfo, Post, Preference, SearchParams, SearchPostList} from '../api/types';
import {useT} from '../i18n/useT';
import {navigate} from '../router';
import {closePanel, type Panel} from '../search/panel';
import {groupByChannel, highlight, mentionTerms, queryWords, timeZoneOffset} from '../search/query';
import {ensureUsers, onEvent} from '../state/actions';
import {channelTitle} from '../state/channels';
import {getState, useStore} from '../state/store';
import {useErrorText} from './forms';
import {displayName, useTimeFormat} from './common';
import './SearchPanel.css';

const PER_PAGE = 20;
const PHONE = '(max-width: 760px)';

const params = (terms: string, page: number, isOr = false): SearchParams => ({
    terms,
    is_or_search: isOr,
    time_zone_offset: timeZoneOffset(),
    page,
    per_page: PER_PAGE,
});

const postOf = (ev: WsEvent): Post | null => (typeof ev.data.post === 'string' ? (JSON.parse(ev.data.post) as Post) : null);

/** Open a result where it was said: its permalink scrolls the channel to it and highlights it. */
function jumpTo(postId: string): void {
    const team = getState().teams.find((tm) => tm.id === getState().teamId);
    if (!team) return;
    if (window.matchMedia(PHONE).matches) closePanel();
    navigate(`/${team.name}/pl/${postId}`);
}

/** The right-hand panel: search results (messages and files), recent mentions, saved posts or pinned posts. */
export function SearchPanel({panel}: {panel: Panel}) {
    const t = useT();
    const heading = useRef<HTMLHeadingElement>(null);
    const [tab, setTab] = useState<'messages' | 'files'>('messages');
    useEffect(() => {
        setTab('messages');
        heading.current?.focus();
    }, [panel.seq]);
    const channelName = useStore((s) => {
        const c = s.channels[panel.channelId];
        return c && s.me ? channelTitle(c, s.me.id, s.users) : '';
    });
    const title =
        panel.kind === 'search'
            ? t('search.title')
            : panel.kind === 'mentions'
              ? t('search.mentions')
              : panel.kind === 'saved'
                ? t('search.saved')
                : t('search.pinnedIn', {channel: channelName});
    return (
        <aside className="thread-panel search-panel" aria-labelledby="search-panel-title">
            <header className="panel-head">
                <h2 id="search-panel-title" tabIndex={-1} ref={heading}>
                    {title}
                </h2>
                <button type="button" className="icon-button" aria-label={t('search.close')} onClick={closePanel}>
                    ×
                </button>
            </header>
            {panel.kind === 'search' && (
                <>
                    <p className="search-terms muted">{panel.terms}</p>
                    <div className="search-tabs" role="tablist" aria-label={t('search.title')}>
                        {(['messages', 'files'] as const).map((name) => (
                            <button
                                key={name}
                                type="button"
                                role="tab"
                                id={`search-tab-${name}`}
                                aria-selected={tab === name}
                                aria-controls="search-tabpanel"
                                tabIndex={tab === name ? 0 : -1}
                                onClick={() => setTab(name)}
                                onKeyDown={(e) => {
                                    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
                                        const next = tab === 'messages' ? 'files' : 'messages';
                                        setTab(next);
                                        document.getElementById(`search-tab-${next}`)?.focus();
                                    }
                                }}
                            >
                                {t(name === 'messages' ? 'search.tabMessages' : 'search.tabFiles')}
                            </button>
                        ))}
                    </div>
                    <div className="search-results" role="tabpanel" id="search-tabpanel" aria-labelledby={`search-tab-${tab}`}>
                        {tab === 'messages' ? <PostResults key={panel.seq} panel={panel} /> : <FileResults key={panel.seq} terms={panel.terms} />}
                    </div>
                </>
            )}
            {panel.kind !== 'search' && (
                <div className="search-results">
                    <PostResults key={`${panel.kind}${panel.seq}`} panel={panel} />
                </div>
            )}
        </aside>
    );
}

interface Listing {
    posts: Post[];
    matches: Record<string, string[]>;
    hasNext: boolean;
}

/** How each kind of list loads, and which WebSocket events make it load again. */
function useSource(panel: Panel): {load: (page: number) => Promise<SearchPostList>; reloadOn: (ev: WsEvent) => boolean} {
    const teamId = useStore((s) => s.teamId);
    const me = useStore((s) => s.me!);
    switch (panel.kind) {
        case 'search':
            return {load: (page) => client.searchPosts(teamId, params(panel.terms, page)), reloadOn: () => false};
        case 'mentions':
            return {
                load: (page) => client.searchPosts(teamId, params(mentionTerms(me), page, true)),
                reloadOn: (ev) => ev.event === 'posted' && String(ev.data.mentions ?? '').includes(me.id),
            };
        case 'saved':
            return {
                load: () => client.flagged(me.id),
                reloadOn: (ev) =>
                    (ev.event === 'preferences_changed' || ev.event === 'preferences_deleted') &&
                    (JSON.parse(String(ev.data.preferences ?? '[]')) as Preference[]).some((p) => p.category === 'flagged_post'),
            };
        case 'pinned':
            return {load: () => client.pinned(panel.channelId), reloadOn: (ev) => ev.event === 'post_edited' && postOf(ev)?.channel_id === panel.channelId};
    }
}

function PostResults({panel}: {panel: Panel}) {
    const t = useT();
    const errorText = useErrorText();
    const {load, reloadOn} = useSource(panel);
    const [list, setList] = useState<Listing | null>(null);
    const [page, setPage] = useState(0);
    const [error, setError] = useState('');
    // The latest of these for the callbacks below, which must not change with every render.
    const source = useRef({load, reloadOn, errorText});
    source.current = {load, reloadOn, errorText};

    const fetchPage = useCallback(
        async (n: number) => {
            try {
                const result = await source.current.load(n);
                const posts = (result.order ?? []).map((id) => result.posts[id]).filter((p): p is Post => !!p && !p.delete_at);
                ensureUsers(posts.map((p) => p.user_id));
                setList((prev) => ({
                    posts: n === 0 || !prev ? posts : [...prev.posts, ...posts.filter((p) => !prev.posts.some((q) => q.id === p.id))],
                    matches: {...(n === 0 ? {} : prev?.matches), ...result.matches},
                    hasNext: !!result.has_next,
                }));
                setPage(n);
                setError('');
            } catch (err) {
                setError(source.current.errorText(err));
            }
        },
        [],
    );

    useEffect(() => {
        void fetchPage(0);
    }, [fetchPage]);

    useEffect(
        () =>
            onEvent((ev) => {
                if (source.current.reloadOn(ev)) {
                    void fetchPage(0);
                    return;
                }
                const post = postOf(ev);
                if (!post || (ev.event !== 'post_edited' && ev.event !== 'post_deleted')) return;
                setList((prev) =>
                    prev && prev.posts.some((p) => p.id === post.id)
                        ? {...prev, posts: ev.event === 'post_deleted' ? prev.posts.filter((p) => p.id !== post.id) : prev.posts.map((p) => (p.id === post.id ? post : p))}
                        : prev,
                );
            }),
        [fetchPage],
    );

    const empty = {search: 'search.noResults', mentions: 'search.mentionsEmpty', saved: 'search.savedEmpty', pinned: 'search.pinnedEmpty'}[panel.kind];
    if (error || !list?.posts.length) return <Notice error={error} text={list ? t(empty, {terms: panel.terms}) : t('common.loading')} />;
    const {words, prefixes} = queryWords(panel.terms);
    return (
        <>
            <p className="visually-hidden" role="status">
                {t('search.count', {count: list.posts.length})}
            </p>
            <ResultGroups items={list.posts} render={(post) => <PostResult post={post} words={list.matches[post.id] ?? (panel.kind === 'search' ? words : [])} prefixes={prefixes} />} />
            {list.hasNext && (
                <button type="button" className="link-button search-more" onClick={() => fetchPage(page + 1)}>
                    {t('search.more')}
                </button>
            )}
        </>
    );
}

/** An error, or the list's state in words (loading, nothing found). */
function Notice({error, text}: {error: string; text: string}) {
    return error ? (
        <p className="form-error" role="alert">
            {error}
        </p>
    ) : (
        <p className="muted search-status" role="status">
            {text}
        </p>
    );
}

function ResultGroups<T extends {id: string; channel_id: string}>({items, render}: {items: T[]; render: (item: T) => ReactNode}) {
    const channels = useStore((s) => s.channels);
    const users = useStore((s) => s.users);
    const me = useStore((s) => s.me!);
    return (
        <>
            {groupByChannel(items).map((group, i) => {
                const channel = channels[group.channelId];
                const label = channel ? (channel.type === 'D' || channel.type === 'G' ? '' : channel.type === 'P' ? '🔒 ' : '# ') + channelTitle(channel, me.id, users) : '…';
                return (
                    <section key={`${group.channelId}-${i}`} className="result-group" aria-label={label}>
                        <h3 className="result-channel">{label}</h3>
                        <ul className="result-list">
                            {group.items.map((item) => (
                                <li key={item.id}>{render(item)}</li>
                            ))}
                        </ul>
                    </section>
                );
            })}
        </>
    );
}

function Highlighted({text, words, prefixes = []}: {text: string; words: readonly string[]; prefixes?: readonly string[]}) {
    return (
        <>
            {highlight(text, words, prefixes).map((segment, i) => (segment.match ? <mark key={i}>{segment.text}</mark> : <span key={i}>{segment.text}</span>))}
        </>
    );
}

function PostResult({post, words, prefixes}: {post: Post; words: string[]; prefixes: string[]}) {
    const fmt = useTimeFormat();
    const user = useStore((s) => s.users[post.user_id]);
    return (
        <button type="button" className="search-result" data-result-id={post.id} onClick={() => jumpTo(post.id)}>
            <span className="result-head">
                <strong>{displayName(user)}</strong>{' '}
                <time className="muted" dateTime={new Date(post.create_at).toISOString()}>
                    {fmt.full(post.create_at)}
                </time>
            </span>
            <span className="result-text">
                <Highlighted text={post.message.length > 600 ? post.message.slice(0, 600) + '…' : post.message} words={words} prefixes={prefixes} />
            </span>
        </button>
    );
}

function FileResults({terms}: {terms: string}) {
    const t = useT();
    const intl = useIntl();
    const fmt = useTimeFormat();
    const errorText = useErrorText();
    const teamId = useStore((s) => s.teamId);
    const users = useStore((s) => s.users);
    const [files, setFiles] = useState<FileInfo[] | null>(null);
    const [hasNext, setHasNext] = useState(false);
    const [page, setPage] = useState(0);
    const [error, setError] = useState('');
    const errorTextRef = useRef(errorText);
    errorTextRef.current = errorText;

    const fetchPage = useCallback(
        async (n: number) => {
            try {
                const result = await client.searchFiles(teamId, params(terms, n));
                const found = result.order.map((id) => result.file_infos[id]).filter(Boolean);
                ensureUsers(found.map((f) => f.user_id));
                setFiles((prev) => (n === 0 || !prev ? found : [...prev, ...found]));
                setHasNext(!!result.has_next);
                setPage(n);
            } catch (err) {
                setError(errorTextRef.current(err));
            }
        },
        [teamId, terms],
    );
    useEffect(() => {
        void fetchPage(0);
    }, [fetchPage]);

    if (error || !files?.length) return <Notice error={error} text={files ? t('search.noFiles', {terms}) : t('common.loading')} />;
    const {words, prefixes} = queryWords(terms);
    const size = (bytes: number) =>
        bytes >= 1_000_000
            ? intl.formatNumber(bytes / 1_000_000, {style: 'unit', unit: 'megabyte', maximumFractionDigits: 1})
            : intl.formatNumber(Math.max(1, Math.round(bytes / 1000)), {style: 'unit', unit: 'kilobyte'});
    return (
        <>
            <ResultGroups
                items={files}
                render={(file) => (
                    <div className="file-result" data-result-id={file.id}>
                        <span className="file-ext" aria-hidden="true">
                            {(file.extension || '?').slice(0, 4).toUpperCase()}
                        </span>
                        <span className="file-about">
                            <span className="file-name">
                                <Highlighted text={file.name} words={words} prefixes={prefixes} />
                            </span>
                            <span className="muted">
                                {displayName(users[file.user_id])} · {size(file.size)} · {fmt.full(file.create_at)}
                            </span>
                        </span>
                        <span className="file-actions">
                            <a href={`/api/v4/files/${file.id}?download=1`} download={file.name} aria-label={`${t('search.download')}: ${file.name}`}>
                                {t('search.download')}
                            </a>
                            <button type="button" className="link-button" aria-label={`${t('search.open')}: ${file.name}`} onClick={() => jumpTo(file.post_id)}>
                                {t('search.open')}
                            </button>
                        </span>
                    </div>
                )}
            />
            {hasNext && (
                <button type="button" className="link-button search-more" onClick={() => fetchPage(page + 1)}>
                    {t('search.more')}
                </button>
            )}
        </>
    );
}
