import {useEffect, useMemo, useState} from 'react';
import {client} from '../api/client';
import type {Channel, Post} from '../api/types';
import {useT} from '../i18n/useT';
import {ExportDialog} from '../moderation/ExportDialog';
import type {MarkdownContext} from '../markdown/Markdown';
import {Markdown} from '../markdown/Markdown';
import {loadThread, loadThreads, setPreference, upsertChannel} from '../state/actions';
import {channelTitle, directUserIds, isMuted} from '../state/channels';
import {pref, useStore} from '../state/store';
import {useRetentionDays} from '../state/retention';
import {Field, FormButtons, FormError, useErrorText} from './forms';
import {Composer, useTypingText} from './Composer';
import {Dialog, PresenceDot} from './common';
import {PostItem} from './PostItem';
import {PostList} from './PostList';
import {HeaderSearch} from './SearchBox';
import {openProfile} from './ProfilePopover';
import {navigate} from '../router';
import {askConfirm} from './ConfirmDialog';

export function useMarkdownContext(): MarkdownContext {
    const me = useStore((s) => s.me!);
    const teamName = useStore((s) => s.teams.find((tm) => tm.id === s.teamId)?.name ?? '');
    return useMemo(
        () => ({
            mentionKeys: [me.username.toLowerCase(), 'here', 'channel', 'all'],
            teamName,
            onMentionClick: (username: string, target: HTMLElement) => openProfile(username, target, true),
        }),
        [me.username, teamName],
    );
}

export function ChannelView({channel, onOpenThread, onMenu}: {channel: Channel; onOpenThread: (p: Post) => void; onMenu: () => void}) {
    const t = useT();
    const ctx = useMarkdownContext();
    const me = useStore((s) => s.me!);
    const users = useStore((s) => s.users);
    const title = channelTitle(channel, me.id, users);
    const typing = useTypingText(channel.id);
    return (
        <section className="channel-view" aria-labelledby="channel-title">
            <ChannelHeader channel={channel} title={title} onMenu={onMenu} />
            <PostList channelId={channel.id} ctx={ctx} onReply={onOpenThread} />
            <div className="typing" aria-live="polite">
                {typing}
            </div>
            <Composer channel={channel} label={t('composer.label', {channel: channel.type === 'D' ? '@' + title : title})} />
        </section>
    );
}

function ChannelHeader({channel, title, onMenu}: {channel: Channel; title: string; onMenu: () => void}) {
    const t = useT();
    const errorText = useErrorText();
    const me = useStore((s) => s.me!);
    const favorite = useStore((s) => pref(s, 'favorite_channel', channel.id) === 'true');
    const muted = useStore((s) => isMuted(s.members[channel.id]));
    const otherId = channel.type === 'D' ? directUserIds(channel, me.id)[0] : '';
    const status = useStore((s) => (otherId ? s.statuses[otherId] : undefined));
    const teamName = useStore((s) => s.teams.find((tm) => tm.id === s.teamId)?.name ?? '');
    const ctx = useMarkdownContext();
    const [menu, setMenu] = useState(false);
    const [editing, setEditing] = useState<'header' | 'purpose' | null>(null);
    const [exporting, setExporting] = useState(false);
    const [error, setError] = useState('');
    const isPublicOrPrivate = channel.type === 'O' || channel.type === 'P';
    const retentionDays = useRetentionDays(channel);

    const run = async (action: () => Promise<unknown>) => {
        setMenu(false);
        setError('');
        try {
            await action();
        } catch (err) {
            setError(errorText(err));
        }
    };

    return (
        <header className="channel-header">
            <button type="button" className="icon-button drawer-toggle" aria-label={t('sidebar.open')} onClick={onMenu}>
                ☰
            </button>
            <div className="channel-heading">
                <h1 id="channel-title">
                    {channel.type === 'P' ? '🔒 ' : channel.type === 'O' ? '# ' : ''}
                    {title}
                    {status && <PresenceDot status={status} label={t('status.' + status)} />}
                    {channel.delete_at > 0 && <span className="badge">{t('channel.archived')}</span>}
                </h1>
                {retentionDays > 0 && <p className="channel-retention">{t('channel.retention', {count: retentionDays})}</p>}
                {(channel.header || channel.purpose) && (
                    <div className="channel-topic">
                        <Markdown text={channel.header || channel.purpose} ctx={ctx} />
                    </div>
                )}
                <FormError error={error} />
            </div>
            <button
                type="button"
                className={favorite ? 'icon-button star on' : 'icon-button star'}
                aria-pressed={favorite}
                aria-label={t(favorite ? 'channel.unfavorite' : 'channel.favorite')}
                title={t(favorite ? 'channel.unfavorite' : 'channel.favorite')}
                onClick={() => run(() => setPreference('favorite_channel', channel.id, favorite ? null : 'true'))}
            >
                {favorite ? '★' : '☆'}
            </button>
            <HeaderSearch channelId={channel.id} />
            {isPublicOrPrivate && (
                <div className="menu-anchor">
                    <button type="button" className="icon-button" aria-haspopup="menu" aria-expanded={menu} aria-label={t('channel.menu')} onClick={() => setMenu(!menu)}>
                        ⋮
                    </button>
                    {menu && (
                        <div className="menu" role="menu" onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setMenu(false))}>
                            <button type="button" role="menuitem" onClick={() => (setEditing('header'), setMenu(false))}>
                                {t('channel.editHeader')}
                            </button>
                            <button type="button" role="menuitem" onClick={() => (setEditing('purpose'), setMenu(false))}>
                                {t('channel.editPurpose')}
                            </button>
                            <button type="button" role="menuitem" onClick={() => (setExporting(true), setMenu(false))}>
                                {t('export.channel')}
                            </button>
                            <button
                                type="button"
                                role="menuitem"
                                onClick={() =>
                                    run(async () => {
                                        const member = await client.patchNotifyProps(channel.id, me.id, {mark_unread: muted ? 'all' : 'mention'});
                                        await upsertChannel(channel, member);
                                    })
                                }
                            >
                                {t(muted ? 'channel.unmute' : 'channel.mute')}
                            </button>
                            <button
                                type="button"
                                role="menuitem"
                                onClick={() =>
                                    run(async () => {
                                        await client.leaveChannel(channel.id, me.id);
                                        navigate(`/${teamName}/channels/town-square`);
                                    })
                                }
                            >
                                {t('channel.leave')}
                            </button>
                            {channel.delete_at === 0 && channel.name !== 'town-square' && (
                                <button
                                    type="button"
                                    role="menuitem"
                                    className="danger"
                                    onClick={async () => {
                                        setMenu(false);
                                        if (await askConfirm({message: t('channel.archiveConfirm', {name: title}), confirm: t('channel.archive'), destructive: true}))
                                            void run(() => client.archiveChannel(channel.id));
                                    }}
                                >
                                    {t('channel.archive')}
                                </button>
                            )}
                        </div>
                    )}
                </div>
            )}
            {exporting && <ExportDialog target={{channelId: channel.id}} onClose={() => setExporting(false)} />}
            {editing && (
                <EditChannelText
                    channel={channel}
                    field={editing}
                    onClose={() => setEditing(null)}
                    onSaved={(c) => {
                        void upsertChannel(c);
                        setEditing(null);
                    }}
                />
            )}
        </header>
    );
}

function EditChannelText({channel, field, onClose, onSaved}: {channel: Channel; field: 'header' | 'purpose'; onClose: () => void; onSaved: (c: Channel) => void}) {
    const t = useT();
    const errorText = useErrorText();
    const [value, setValue] = useState(channel[field]);
    const [error, setError] = useState('');
    return (
        <Dialog title={t(field === 'header' ? 'channel.editHeader' : 'channel.editPurpose')} onClose={onClose}>
            <form
                className="form"
                onSubmit={async (e) => {
                    e.preventDefault();
                    try {
                        onSaved(await client.patchChannel(channel.id, {[field]: value}));
                    } catch (err) {
                        setError(errorText(err));
                    }
                }}
            >
                <Field label={t(field === 'header' ? 'channel.header' : 'channel.purpose')}>
                    <textarea value={value} onChange={(e) => setValue(e.target.value)} rows={3} />
                </Field>
                <FormError error={error} />
                <FormButtons submit={t('common.save')} onCancel={onClose} />
            </form>
        </Dialog>
    );
}

/** Replies to one post, beside the channel (or over it on a phone). */
export function ThreadPanel({rootId, onClose}: {rootId: string; onClose: () => void}) {
    const t = useT();
    const ctx = useMarkdownContext();
    const root = useStore((s) => s.posts.byId[rootId]);
    const replies = useStore((s) => s.posts.threads[rootId]);
    const byId = useStore((s) => s.posts.byId);
    const channel = useStore((s) => (root ? s.channels[root.channel_id] : undefined));
    const typing = useTypingText(root?.channel_id ?? '', rootId);
    const meId = useStore((s) => s.me!.id);
    const teamId = useStore((s) => s.teamId);
    const replyCount = (replies ?? []).length;
    useEffect(() => {
        void loadThread(rootId);
    }, [rootId]);
    useEffect(() => {
        // Open and on screen: the thread is read (the Threads view's unread mark goes away).
        if (teamId) client.readThread(meId, teamId, rootId).then(loadThreads, () => undefined);
    }, [rootId, meId, teamId, replyCount]);
    return (
        <aside className="thread-panel" aria-labelledby="thread-title">
            <header className="panel-head">
                <h2 id="thread-title">{t('thread.title')}</h2>
                <button type="button" className="icon-button" aria-label={t('thread.close')} onClick={onClose}>
                    ×
                </button>
            </header>
            <div className="thread-posts">
                {root && <PostItem post={root} continuation={false} ctx={ctx} inThread />}
                {root && <div className="thread-count muted">{t('post.replies', {count: (replies ?? []).length})}</div>}
                {(replies ?? [])
                    .map((id) => byId[id])
                    .filter(Boolean)
                    .map((p, i, all) => (
                        <PostItem key={p.id} post={p} continuation={i > 0 && all[i - 1].user_id === p.user_id} ctx={ctx} inThread />
                    ))}
            </div>
            <div className="typing" aria-live="polite">
                {typing}
            </div>
            {channel && <Composer channel={channel} rootId={rootId} label={t('thread.replyLabel')} />}
        </aside>
    );
}

/** Followed threads in this team, unread ones marked. */
export function ThreadsView({onOpenThread, onMenu}: {onOpenThread: (rootId: string) => void; onMenu: () => void}) {
    const t = useT();
    const ctx = useMarkdownContext();
    const threads = useStore((s) => s.threads);
    const channels = useStore((s) => s.channels);
    const users = useStore((s) => s.users);
    const me = useStore((s) => s.me!);
    return (
        <section className="channel-view" aria-labelledby="channel-title">
            <header className="channel-header">
                <button type="button" className="icon-button drawer-toggle" aria-label={t('sidebar.open')} onClick={onMenu}>
                    ☰
                </button>
                <div className="channel-heading">
                    <h1 id="channel-title">{t('threads.title')}</h1>
                </div>
                <HeaderSearch />
            </header>
            <ul className="thread-list">
                {threads.length === 0 && <li className="muted empty">{t('threads.empty')}</li>}
                {threads.map((th) => {
                    const channel = channels[th.post.channel_id];
                    return (
                        <li key={th.id}>
                            <button type="button" className={th.unread_replies > 0 ? 'thread-item unread' : 'thread-item'} onClick={() => onOpenThread(th.id)}>
                                <span className="thread-meta">
                                    <strong>{users[th.post.user_id]?.username ?? '…'}</strong>
                                    {channel && <span className="muted"> · {channelTitle(channel, me.id, users)}</span>}
                                </span>
                                <span className="thread-text">
                                    <Markdown text={th.post.message.slice(0, 300)} ctx={ctx} />
                                </span>
                                <span className="muted">
                                    {t('post.replies', {count: th.reply_count})}
                                    {th.unread_replies > 0 && <span className="badge unread-badge">{t('threads.unread', {count: th.unread_replies})}</span>}
                                </span>
                            </button>
                        </li>
                    );
                })}
            </ul>
        </section>
    );
}
