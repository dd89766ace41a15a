import {useEffect, useMemo, useRef, useState} from 'react';
import {client} from '../api/client';
import type {Channel, Command, User} from '../api/types';
import {customEmojiUrl, searchCustom} from '../emoji/custom';
import {searchEmoji} from '../emoji/names';
import {isUploading, type UploadItem} from '../files/uploads';
import {UploadList} from '../files/UploadList';
import {useT} from '../i18n/useT';
import {ensureUsers, receiveUsers, sendPost, sendTyping} from '../state/actions';
import {CONFIRM_CHANNEL_WIDE_ABOVE, channelWideMention} from '../state/mentions';
import {isDirect} from '../state/channels';
import {followGoto, isCommand, matchCommands, typedTrigger} from '../state/commands';
import {getState, update, useStore} from '../state/store';
import {isEphemeral} from '../state/timeline';
import {draftId, startUploads, takeAttached} from '../state/uploadActions';
import {useErrorText} from './forms';
import {askConfirm} from './ConfirmDialog';

interface Suggestion {
    id: string;
    insert: string;
    label: string;
    detail?: string;
    image?: string;
}

const NO_UPLOADS: UploadItem[] = [];

const TRIGGER = /(^|\s)([@~:])([\p{L}\p{N}._+-]*)$/u;
const draftKey = (channelId: string, rootId: string) => `kafana.draft.${channelId}.${rootId}`;

/** The message box: Enter sends, Shift+Enter is a new line, ↑ in an empty box edits your last message, a draft
 * is kept per channel (and thread), and @, ~, : and a leading / (slash commands) open suggestions; a message
 * starting with / runs as a command. Files dropped on it, pasted into it or chosen with its button upload at
 * once and go out with the next message. */
export function Composer({channel, rootId = '', label}: {channel: Channel; rootId?: string; label: string}) {
    const t = useT();
    const errorText = useErrorText();
    const [text, setText] = useState(() => localStorage.getItem(draftKey(channel.id, rootId)) ?? '');
    const [error, setError] = useState('');
    const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
    const [active, setActive] = useState(0);
    const ref = useRef<HTMLTextAreaElement>(null);
    const lastTyping = useRef(0);
    const users = useStore((s) => s.users);
    const channels = useStore((s) => s.channels);
    const teamId = useStore((s) => s.teamId);
    const customEmoji = useStore((s) => s.customEmoji);
    const uploads = useStore((s) => s.uploads[draftId(channel.id, rootId)]) ?? NO_UPLOADS;
    const fileInput = useRef<HTMLInputElement>(null);
    const [dragging, setDragging] = useState(false);
    const archived = channel.delete_at > 0;
    const attach = (files: FileList | File[] | null | undefined) => {
        if (files?.length && !archived) startUploads(channel.id, rootId, [...files]);
    };

    useEffect(() => {
        setText(localStorage.getItem(draftKey(channel.id, rootId)) ?? '');
        setSuggestions([]);
        setError('');
        // Ready to type on opening a channel or thread (not on touch screens, where it would pop up the keyboard).
        if (window.matchMedia('(pointer: fine)').matches) ref.current?.focus();
    }, [channel.id, rootId]);
    useEffect(() => {
        if (text) localStorage.setItem(draftKey(channel.id, rootId), text);
        else localStorage.removeItem(draftKey(channel.id, rootId));
    }, [text, channel.id, rootId]);

    const knownChannels = useMemo(() => Object.values(channels).filter((c) => !isDirect(c) && !c.delete_at), [channels]);

    const latest = useRef('');
    const commands = useRef<{teamId: string; list: Command[]} | null>(null);
    const suggestCommands = async (value: string, typed: string) => {
        if (!teamId) return setSuggestions([]);
        if (commands.current?.teamId !== teamId) {
            try {
                commands.current = {teamId, list: await client.commands(teamId)};
            } catch {
                return setSuggestions([]);
            }
        }
        if (latest.current !== value) return; // the text changed meanwhile
        const found = matchCommands(commands.current.list, typed);
        setSuggestions(found.map((c) => ({id: 'command:' + c.trigger, insert: `/${c.trigger} `, label: `/${c.trigger} ${c.auto_complete_hint}`.trim(), detail: c.auto_complete_desc})));
        setActive(0);
    };
    const suggest = async (value: string, caret: number) => {
        latest.current = value;
        const typed = typedTrigger(value.slice(0, caret));
        if (typed !== null) return suggestCommands(value, typed);
        const match = TRIGGER.exec(value.slice(0, caret));
        if (!match) return setSuggestions([]);
        const [, , kind, term] = match;
        const q = term.toLowerCase();
        if (kind === '@') {
            const local = Object.values(users).filter((u) => u.username.startsWith(q));
            const special = ['here', 'channel', 'all'].filter((w) => w.startsWith(q)).map((w) => ({id: '@' + w, insert: '@' + w, label: '@' + w, detail: t('autocomplete.' + w)}));
            const toSuggestion = (u: User) => ({id: u.id, insert: '@' + u.username, label: '@' + u.username, detail: [u.first_name, u.last_name].filter(Boolean).join(' ') || u.nickname});
            setSuggestions([...local.map(toSuggestion), ...special].slice(0, 8));
            setActive(0);
            if (teamId) {
                try {
                    const found = (await client.autocompleteUsers(teamId, q)).users;
                    receiveUsers(found);
                    if (latest.current !== value) return; // the text changed meanwhile
                    const seen = new Set(local.map((u) => u.id));
                    setSuggestions([...local.map(toSuggestion), ...found.filter((u) => !seen.has(u.id)).map(toSuggestion), ...special].slice(0, 8));
                } catch {
                    // keep the local suggestions
                }
            }
        } else if (kind === '~') {
            setSuggestions(
                knownChannels
                    .filter((c) => c.name.startsWith(q) || c.display_name.toLowerCase().includes(q))
                    .slice(0, 8)
                    .map((c) => ({id: c.id, insert: '~' + c.name, label: c.display_name, detail: '~' + c.name})),
            );
            setActive(0);
        } else if (q.length >= 2) {
            const custom = searchCustom(customEmoji, q, 8).map((e) => ({id: 'custom:' + e.name, insert: `:${e.name}: `, label: `:${e.name}:`, image: customEmojiUrl(e.id)}));
            const standard = searchEmoji(q, 8).map((e) => ({id: e.name, insert: `:${e.name}: `, label: `${e.char} :${e.name}:`}));
            setSuggestions([...custom, ...standard].slice(0, 8));
            setActive(0);
        } else setSuggestions([]);
    };

    const accept = (s: Suggestion) => {
        const el = ref.current!;
        const caret = el.selectionStart;
        const command = s.id.startsWith('command:');
        // A command replaces the whole first word; other suggestions the word before the caret.
        const before = command ? s.insert : text.slice(0, caret).replace(TRIGGER, (_m, space: string) => space + s.insert + (s.insert.endsWith(' ') ? '' : ' '));
        const next = before + (command ? text.replace(/^\S*\s*/, '') : text.slice(caret));
        setText(next);
        setSuggestions([]);
        requestAnimationFrame(() => {
            el.focus();
            el.setSelectionRange(before.length, before.length);
        });
    };

    const submit = async () => {
        const message = text.trim();
        if (archived) return;
        if (isUploading(uploads)) {
            setError(t('upload.wait'));
            return;
        }
        const hasFiles = uploads.some((u) => u.status === 'done');
        if (!message && !hasFiles) return;
        const wide = channelWideMention(message);
        if (wide) {
            const members = (await client.channelStats(channel.id).catch(() => null))?.member_count ?? 0;
            const question = {message: t('composer.channelWideConfirm', {mention: '@' + wide, count: members - 1}), confirm: t('confirm.send')};
            if (members > CONFIRM_CHANNEL_WIDE_ABOVE && !(await askConfirm(question))) return;
        }
        if (isCommand(message) && !hasFiles) return runCommand(message);
        const files = takeAttached(channel.id, rootId);
        setText('');
        setError('');
        setSuggestions([]);
        latest.current = '';
        try {
            await sendPost(channel.id, message, rootId, files);
        } catch (err) {
            setError(errorText(err));
        }
    };

    /** Run a slash command; its answer shows as an ephemeral post or a post, and goto_location is followed.
     * A refused command keeps the text, to fix and send again. */
    const runCommand = async (message: string) => {
        setSuggestions([]);
        setError('');
        latest.current = '';
        setText('');
        try {
            const answer = await client.executeCommand(channel.id, message, rootId, teamId);
            followGoto(answer.goto_location);
        } catch (err) {
            setText(message);
            setError(errorText(err));
        }
    };

    const editLast = () => {
        const s = getState();
        const ids = rootId ? (s.posts.threads[rootId] ?? []) : (s.posts.channels[channel.id]?.order ?? []);
        for (let i = ids.length - 1; i >= 0; i--) {
            const p = s.posts.byId[ids[i]];
            if (p && p.user_id === s.me?.id && !s.posts.pending[p.id] && !isEphemeral(p)) {
                update(() => ({editing: p.id}));
                return true;
            }
        }
        return false;
    };

    const listId = `suggestions-${channel.id}-${rootId}`;
    return (
        <div
            className={dragging ? 'composer dragging' : 'composer'}
            onDragOver={(e) => {
                if (archived || !e.dataTransfer.types.includes('Files')) return;
                e.preventDefault();
                e.dataTransfer.dropEffect = 'copy';
                setDragging(true);
            }}
            onDragLeave={(e) => {
                if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
            }}
            onDrop={(e) => {
                if (!e.dataTransfer.files.length) return;
                e.preventDefault();
                setDragging(false);
                attach(e.dataTransfer.files);
            }}
        >
            {dragging && (
                <div className="drop-hint" aria-hidden="true">
                    {t('composer.dropHere')}
                </div>
            )}
            <UploadList channelId={channel.id} rootId={rootId} uploads={uploads} />
            {suggestions.length > 0 && (
                <ul className="suggestions" role="listbox" id={listId} aria-label={t('autocomplete.label')}>
                    {suggestions.map((s, i) => (
                        <li
                            key={s.id}
                            id={`${listId}-${i}`}
                            role="option"
                            aria-selected={i === active}
                            className={i === active ? 'active' : ''}
                            onMouseDown={(e) => (e.preventDefault(), accept(s))}
                        >
                            {s.image && <img className="emoji custom-emoji" src={s.image} alt="" width={20} height={20} />}
                            <span>{s.label}</span> {s.detail && <span className="muted">{s.detail}</span>}
                        </li>
                    ))}
                </ul>
            )}
            <div className="composer-row">
                <button type="button" className="icon-button attach" aria-label={t('composer.attach')} title={t('composer.attach')} disabled={archived} onClick={() => fileInput.current?.click()}>
                    📎
                </button>
                <input
                    ref={fileInput}
                    type="file"
                    multiple
                    hidden
                    onChange={(e) => {
                        attach(e.target.files);
                        e.target.value = '';
                    }}
                />
                <textarea
                    ref={ref}
                    rows={1}
                    aria-label={label}
                    placeholder={archived ? t('composer.archived') : label}
                    disabled={archived}
                    value={text}
                    role="combobox"
                    aria-expanded={suggestions.length > 0}
                    aria-controls={listId}
                    aria-autocomplete="list"
                    aria-activedescendant={suggestions.length ? `${listId}-${active}` : undefined}
                    onChange={(e) => {
                        setText(e.target.value);
                        void suggest(e.target.value, e.target.selectionStart);
                        const now = Date.now();
                        if (now - lastTyping.current > 3000) {
                            lastTyping.current = now;
                            sendTyping(channel.id, rootId);
                        }
                    }}
                    onKeyDown={(e) => {
                        if (suggestions.length) {
                            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                                e.preventDefault();
                                setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
                                return;
                            }
                            const chosen = suggestions[active];
                            const complete = chosen.id.startsWith('command:') && text.trim() === chosen.insert.trim();
                            if ((e.key === 'Enter' && !complete) || e.key === 'Tab') {
                                e.preventDefault();
                                accept(chosen);
                                return;
                            }
                            if (e.key === 'Escape') {
                                e.stopPropagation();
                                setSuggestions([]);
                                return;
                            }
                        }
                        if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                            e.preventDefault();
                            void submit();
                        } else if (e.key === 'ArrowUp' && !text && !e.altKey && editLast()) {
                            e.preventDefault();
                        }
                    }}
                    onPaste={(e) => {
                        if (e.clipboardData.files.length) {
                            e.preventDefault();
                            attach(e.clipboardData.files);
                        }
                    }}
                    onBlur={() => setTimeout(() => setSuggestions([]), 150)}
                />
            </div>
            {error && (
                <p className="form-error" role="alert">
                    {error}
                </p>
            )}
        </div>
    );
}

export function useTypingText(channelId: string, rootId = ''): string {
    const t = useT();
    const typing = useStore((s) => s.typing[channelId]);
    const users = useStore((s) => s.users);
    const names = (typing ?? []).filter((x) => x.parentId === rootId || (!rootId && !x.parentId)).map((x) => users[x.userId]?.username ?? '…');
    useEffect(() => ensureUsers((typing ?? []).map((x) => x.userId)), [typing]);
    if (!names.length) return '';
    return t('typing.text', {count: names.length, name: names[0], other: names[1] ?? ''});
}
