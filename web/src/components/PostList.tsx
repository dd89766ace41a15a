import {useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState} from 'react';
import type {Post} from '../api/types';
import {useT} from '../i18n/useT';
import type {MarkdownContext} from '../markdown/Markdown';
import {loadOlder} from '../state/actions';
import {update, useStore} from '../state/store';
import {buildTimeline} from '../state/timeline';
import {useTimeFormat} from './common';
import {PostItem} from './PostItem';

const NEAR_BOTTOM_PX = 120;
const LOAD_OLDER_PX = 400;

/** A channel's history: older pages load when scrolling up (the visible post stays put), new posts keep the
 * view at the bottom when it was there, and the first visit lands on the "new messages" line. */
export function PostList({channelId, ctx, onReply}: {channelId: string; ctx: MarkdownContext; onReply: (p: Post) => void}) {
    const t = useT();
    const fmt = useTimeFormat();
    const held = useStore((s) => s.posts.channels[channelId]);
    const byId = useStore((s) => s.posts.byId);
    const me = useStore((s) => s.me!);
    const openedAt = useStore((s) => s.openedAt[channelId] ?? 0);
    const highlight = useStore((s) => s.highlight);
    const ref = useRef<HTMLDivElement>(null);
    const anchor = useRef<{id: string; top: number} | null>(null);
    const atBottom = useRef(true);
    const loading = useRef(false);
    const [showLatest, setShowLatest] = useState(false);
    const [newAbove, setNewAbove] = useState(false);

    const posts = useMemo(() => (held?.order ?? []).map((id) => byId[id]).filter(Boolean), [held, byId]);
    const items = useMemo(() => buildTimeline(posts, {lastViewedAt: openedAt, meId: me.id, timeZone: fmt.timeZone}), [posts, openedAt, me.id, fmt.timeZone]);

    // First paint of a channel: the permalink target, else the new-messages line, else the bottom.
    const positioned = useRef('');
    useLayoutEffect(() => {
        const el = ref.current;
        if (!el || !held || positioned.current === channelId + highlight) return;
        positioned.current = channelId + highlight;
        const target = (highlight && el.querySelector(`[data-post-id="${highlight}"]`)) || el.querySelector('.new-messages');
        if (target) {
            (target as HTMLElement).scrollIntoView({block: highlight ? 'center' : 'start'});
            atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
        } else {
            el.scrollTop = el.scrollHeight;
            atBottom.current = true;
        }
    }, [channelId, held, highlight]);

    // After older posts are prepended, put the post that was on screen back where it was.
    useLayoutEffect(() => {
        const el = ref.current;
        const a = anchor.current;
        if (!el || !a) return;
        const node = el.querySelector<HTMLElement>(`[data-post-id="${a.id}"]`);
        if (node) el.scrollTop += node.offsetTop - a.top;
        anchor.current = null;
    }, [items]);

    // New posts at the end: follow them if the reader was at the bottom.
    useLayoutEffect(() => {
        const el = ref.current;
        if (el && atBottom.current && !anchor.current && positioned.current === channelId + highlight) el.scrollTop = el.scrollHeight;
    }, [items, channelId, highlight]);

    const older = useCallback(async () => {
        const el = ref.current;
        if (!el || loading.current || !held?.hasOlder) return;
        loading.current = true;
        const first = el.querySelector<HTMLElement>('[data-post-id]');
        if (first) anchor.current = {id: first.dataset.postId!, top: first.offsetTop};
        try {
            await loadOlder(channelId);
        } catch {
            anchor.current = null;
        } finally {
            loading.current = false;
        }
    }, [channelId, held?.hasOlder]);

    const onScroll = () => {
        const el = ref.current!;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
        setShowLatest(!atBottom.current);
        const line = el.querySelector<HTMLElement>('.new-messages');
        setNewAbove(!!line && line.offsetTop < el.scrollTop);
        if (el.scrollTop < LOAD_OLDER_PX) void older();
        // Reading on from a permalink to the end: the highlight has served (kept while the post is in view).
        if (highlight && atBottom.current && !inView(el, el.querySelector(`[data-post-id="${highlight}"]`))) update(() => ({highlight: ''}));
    };

    useEffect(() => {
        // A short channel never scrolls: load older pages until it fills the view or none are left.
        const el = ref.current;
        if (el && held?.hasOlder && el.scrollHeight <= el.clientHeight) void older();
    }, [held, older]);

    return (
        <div className="post-list-wrap">
            <div className="post-list" ref={ref} onScroll={onScroll} role="log" aria-label={t('channel.messages')} tabIndex={0}>
                {held?.hasOlder ? (
                    <div className="list-start muted">{t('channel.loadingOlder')}</div>
                ) : (
                    held && <div className="list-start muted">{t('channel.beginning')}</div>
                )}
                {items.map((item) =>
                    item.kind === 'day' ? (
                        <div key={item.key} className="day-separator" role="separator">
                            <span>{fmt.date(item.at)}</span>
                        </div>
                    ) : item.kind === 'new' ? (
                        <div key={item.key} className="new-messages" role="separator">
                            <span>{t('channel.newMessages')}</span>
                        </div>
                    ) : (
                        <PostItem key={item.key} post={item.post} continuation={item.continuation} ctx={ctx} onReply={onReply} />
                    ),
                )}
            </div>
            {newAbove && (
                <button type="button" className="jump jump-new" onClick={() => ref.current?.querySelector('.new-messages')?.scrollIntoView({block: 'start'})}>
                    {t('channel.jumpNew')}
                </button>
            )}
            {showLatest && (
                <button
                    type="button"
                    className="jump jump-latest"
                    onClick={() => {
                        const el = ref.current!;
                        el.scrollTop = el.scrollHeight;
                    }}
                >
                    {t('channel.jumpLatest')}
                </button>
            )}
        </div>
    );
}

function inView(list: HTMLElement, node: Element | null): boolean {
    if (!node) return false;
    const box = node.getBoundingClientRect();
    const view = list.getBoundingClientRect();
    return box.bottom > view.top && box.top < view.bottom;
}
