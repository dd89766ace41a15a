import {lazy, memo, Suspense, useState} from 'react';
import type {Post} from '../api/types';
import {useT} from '../i18n/useT';
import {Markdown, type MarkdownContext} from '../markdown/Markdown';
import {EmojiGlyph} from '../emoji/Glyph';
import {LinkPreview, previewRemoved} from '../files/LinkPreview';
import {PostFiles} from '../files/PostFiles';
import {deletePost, editPost, removeLinkPreview, retryPost, setPreference, togglePin, toggleReaction} from '../state/actions';
import {groupReactions} from '../state/posts';
import {pref, update, useStore} from '../state/store';
import {isEphemeral, isSystem, overrideName} from '../state/timeline';
import {systemText} from '../state/systemText';
import {Avatar, CustomStatusEmoji, displayName, useTimeFormat} from './common';
import {openProfile} from './ProfilePopover';
import {ExportDialog} from '../moderation/ExportDialog';
import {ReportDialog} from '../moderation/ReportDialog';
import {askConfirm} from './ConfirmDialog';

const EmojiPicker = lazy(() => import('./EmojiPicker'));

interface Props {
    post: Post;
    continuation: boolean;
    ctx: MarkdownContext;
    onReply?: (post: Post) => void;
    inThread?: boolean;
}

export const PostItem = memo(function PostItem({post, continuation, ctx, onReply, inThread}: Props) {
    const t = useT();
    const fmt = useTimeFormat();
    const me = useStore((s) => s.me!);
    const user = useStore((s) => s.users[post.user_id]);
    const pending = useStore((s) => s.posts.pending[post.id]);
    const editing = useStore((s) => s.editing === post.id);
    const highlighted = useStore((s) => s.highlight === post.id);
    const saved = useStore((s) => pref(s, 'flagged_post', post.id) === 'true');
    const teamName = ctx.teamName;
    const [picker, setPicker] = useState(false);
    const [menu, setMenu] = useState(false);
    const [copied, setCopied] = useState(false);
    const [dialog, setDialog] = useState<'report' | 'export' | null>(null);
    const mine = post.user_id === me.id;
    const ephemeral = isEphemeral(post);
    const integration = overrideName(post);
    const author = integration || displayName(user);
    const system = isSystem(post) && !ephemeral;
    const reactions = groupReactions(post.metadata?.reactions ?? [], me.id);

    if (system) {
        return (
            <div className="post system" id={'post-' + post.id} data-post-id={post.id}>
                <span className="post-time">{fmt.time(post.create_at)}</span>
                <div className="system-text">
                    <Markdown text={systemText(post, t)} ctx={ctx} />
                </div>
            </div>
        );
    }

    const classes = ['post'];
    if (continuation) classes.push('continuation');
    if (highlighted) classes.push('highlight');
    if (ephemeral) classes.push('ephemeral');
    if (pending) classes.push('pending-' + pending);
    if (!mine && mentionsReader(post.message, ctx.mentionKeys)) classes.push('mentions-me');

    const copyLink = async () => {
        const link = `${location.origin}/${teamName}/pl/${post.id}`;
        try {
            await navigator.clipboard.writeText(link);
        } catch {
            // clipboard refused (no permission): the link is still in the menu's title
        }
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
        setMenu(false);
    };

    return (
        <article className={classes.join(' ')} id={'post-' + post.id} data-post-id={post.id} aria-label={t('post.label', {name: author, time: fmt.full(post.create_at)})}>
            <div className="post-gutter">
                {continuation ? (
                    <span className="post-time hover-time">{fmt.time(post.create_at)}</span>
                ) : (
                    // The name beside it is the keyboard's way to the same card.
                    <button type="button" className="avatar-button" tabIndex={-1} aria-hidden="true" onClick={(e) => openProfile(post.user_id, e.currentTarget)}>
                        <Avatar userId={post.user_id} />
                    </button>
                )}
            </div>
            <div className="post-body">
                {!continuation && (
                    <header className="post-head">
                        <button type="button" className="post-author" onClick={(e) => openProfile(post.user_id, e.currentTarget)}>
                            {author}
                        </button>
                        {integration && <span className="badge">{t('post.botTag')}</span>}
                        <CustomStatusEmoji userId={post.user_id} />
                        <time className="post-time" dateTime={new Date(post.create_at).toISOString()} title={fmt.full(post.create_at)}>
                            {fmt.time(post.create_at)}
                        </time>
                        {post.is_pinned && <span className="badge">{t('post.pinned')}</span>}
                        {ephemeral && <span className="only-you">{t('post.onlyYou')}</span>}
                    </header>
                )}
                {editing ? (
                    <EditBox post={post} />
                ) : (
                    <div className="post-message">
                        <Markdown text={post.message} ctx={ctx} />
                        {post.edit_at > 0 && <span className="edited">{t('post.edited')}</span>}
                    </div>
                )}
                {post.metadata?.files?.length ? <PostFiles files={post.metadata.files} /> : null}
                {post.metadata?.embeds?.[0] && !previewRemoved(post) && (
                    <LinkPreview embed={post.metadata.embeds[0]} onRemove={mine && !pending ? () => void removeLinkPreview(post) : undefined} />
                )}
                {pending === 'sending' && <div className="post-state">{t('post.sending')}</div>}
                {pending === 'failed' && (
                    <div className="post-state failed" role="alert">
                        {t('post.failed')}{' '}
                        <button type="button" className="link-button" onClick={() => retryPost(post.id)}>
                            {t('post.retry')}
                        </button>
                        <button type="button" className="link-button" onClick={() => deletePost(post.id)}>
                            {t('post.discard')}
                        </button>
                    </div>
                )}
                {reactions.length > 0 && (
                    <div className="reactions">
                        {reactions.map((r) => (
                            <button
                                type="button"
                                key={r.emoji}
                                className={r.mine ? 'reaction mine' : 'reaction'}
                                aria-pressed={r.mine}
                                aria-label={t('reaction.label', {emoji: r.emoji, count: r.count})}
                                title={`:${r.emoji}:`}
                                onClick={() => toggleReaction(post.id, r.emoji)}
                            >
                                <EmojiGlyph name={r.emoji} label={false} /> {r.count}
                            </button>
                        ))}
                    </div>
                )}
                {!inThread && !post.root_id && (post.reply_count ?? 0) > 0 && onReply && (
                    <button type="button" className="link-button replies" onClick={() => onReply(post)}>
                        {t('post.replies', {count: post.reply_count ?? 0})}
                    </button>
                )}
            </div>
            {!pending && !ephemeral && (
                <div className="post-actions" role="toolbar" aria-label={t('post.actions')}>
                    <button type="button" className="icon-button" aria-label={t('post.react')} title={t('post.react')} onClick={() => setPicker(true)}>
                        ☺
                    </button>
                    {onReply && !inThread && (
                        <button type="button" className="icon-button" aria-label={t('post.reply')} title={t('post.reply')} onClick={() => onReply(post)}>
                            ↩
                        </button>
                    )}
                    <button type="button" className="icon-button" aria-label={t('post.more')} title={t('post.more')} aria-haspopup="menu" aria-expanded={menu} onClick={() => setMenu(!menu)}>
                        ⋯
                    </button>
                    {menu && (
                        <div className="menu" role="menu" onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setMenu(false))}>
                            {mine && (
                                <button type="button" role="menuitem" onClick={() => (update(() => ({editing: post.id})), setMenu(false))}>
                                    {t('post.edit')}
                                </button>
                            )}
                            <button type="button" role="menuitem" onClick={() => (togglePin(post), setMenu(false))}>
                                {t(post.is_pinned ? 'post.unpin' : 'post.pin')}
                            </button>
                            <button type="button" role="menuitem" onClick={() => (setPreference('flagged_post', post.id, saved ? null : 'true'), setMenu(false))}>
                                {t(saved ? 'post.unsave' : 'post.save')}
                            </button>
                            <button type="button" role="menuitem" onClick={copyLink}>
                                {t('post.copyLink')}
                            </button>
                            <button type="button" role="menuitem" onClick={() => (setDialog('export'), setMenu(false))}>
                                {t('export.thread')}
                            </button>
                            {!mine && (
                                <button type="button" role="menuitem" onClick={() => (setDialog('report'), setMenu(false))}>
                                    {t('mod.report')}
                                </button>
                            )}
                            {mine && (
                                <button
                                    type="button"
                                    role="menuitem"
                                    className="danger"
                                    onClick={async () => {
                                        setMenu(false);
                                        if (await askConfirm({message: t('post.deleteConfirm'), confirm: t('post.delete'), destructive: true})) void deletePost(post.id);
                                    }}
                                >
                                    {t('post.delete')}
                                </button>
                            )}
                        </div>
                    )}
                    {copied && (
                        <span className="toast" role="status">
                            {t('post.linkCopied')}
                        </span>
                    )}
                </div>
            )}
            {dialog === 'report' && <ReportDialog postId={post.id} onClose={() => setDialog(null)} />}
            {dialog === 'export' && <ExportDialog target={{postId: post.id}} onClose={() => setDialog(null)} />}
            {picker && (
                <Suspense fallback={null}>
                    <EmojiPicker onPick={(name) => (toggleReaction(post.id, name), setPicker(false))} onClose={() => setPicker(false)} />
                </Suspense>
            )}
        </article>
    );
});

const mentionPatterns = new Map<string, RegExp>();

/** Whether a message @-mentions one of the reader's keys (their username, @here, @channel, @all). */
function mentionsReader(message: string, keys: string[]): boolean {
    if (!message.includes('@')) return false;
    const id = keys.join(' ');
    let re = mentionPatterns.get(id);
    if (!re) {
        re = new RegExp(`(^|[^\\w])@(${keys.map((k) => k.replace(/[.]/g, '\\.')).join('|')})($|[^\\w.-])`, 'i');
        mentionPatterns.set(id, re);
    }
    return re.test(message);
}

function EditBox({post}: {post: Post}) {
    const t = useT();
    const [text, setText] = useState(post.message);
    const [error, setError] = useState('');
    const close = () => update(() => ({editing: ''}));
    const save = async () => {
        if (!text.trim()) return;
        try {
            if (text !== post.message) await editPost(post.id, text);
            close();
        } catch (err) {
            setError(String((err as Error).message));
        }
    };
    return (
        <div className="edit-box">
            <textarea
                aria-label={t('post.editLabel')}
                value={text}
                autoFocus
                onChange={(e) => setText(e.target.value)}
                onKeyDown={(e) => {
                    if (e.key === 'Enter' && !e.shiftKey) {
                        e.preventDefault();
                        void save();
                    } else if (e.key === 'Escape') {
                        e.stopPropagation();
                        close();
                    }
                }}
            />
            {error && <p className="form-error">{error}</p>}
            <div className="row">
                <button type="button" className="primary" onClick={save}>
                    {t('common.save')}
                </button>
                <button type="button" onClick={close}>
                    {t('common.cancel')}
                </button>
            </div>
        </div>
    );
}
