import {type FormEvent, type ReactNode, useEffect, useRef, useState} from 'react';
import {client} from '../api/client';
import {useT} from '../i18n/useT';
import {askConfirm} from '../components/ConfirmDialog';
import {Tabs} from '../components/Tabs';
import {Field, FormButtons, FormError, useAction} from '../components/forms';
import {useStore} from '../state/store';
import {
    type AccessToken,
    type Bot,
    type CommandDraft,
    type CustomCommand,
    type IncomingDraft,
    type IncomingHook,
    integrationsApi as api,
    type OutgoingHook,
} from './api';
import {useIntegrationSections} from './access';
import {hookUrl, outgoingDraft, outgoingForm, type OutgoingForm, type Section} from './state';
import './integrations.css';

/** Mattermost's /<team>/integrations: the team's incoming and outgoing webhooks, slash commands, and bot
 * accounts, each section shown only to those who may manage it. */
export function IntegrationsPage({teamId, onMenu}: {teamId: string; onMenu: () => void}) {
    const t = useT();
    const sections = useIntegrationSections(teamId);
    const [chosen, setChosen] = useState<Section | null>(null);
    const tab = chosen && sections?.includes(chosen) ? chosen : sections?.[0];
    return (
        <section className="integrations" aria-labelledby="integrations-title">
            <div className="integrations-head">
                <button type="button" className="icon-button drawer-toggle" aria-label={t('sidebar.open')} onClick={onMenu}>
                    ☰
                </button>
                <h1 id="integrations-title">{t('integrations.title')}</h1>
            </div>
            {sections && !tab && <p>{t('integrations.none')}</p>}
            {tab && (
                <>
                    <Tabs
                        idPrefix="integrations"
                        label={t('integrations.title')}
                        tabs={sections!}
                        current={tab}
                        onSelect={setChosen}
                        labelOf={(name) => t('integrations.tab.' + name)}
                    >
                        {tab === 'incoming' && <IncomingHooks teamId={teamId} />}
                        {tab === 'outgoing' && <OutgoingHooks teamId={teamId} />}
                        {tab === 'commands' && <Commands teamId={teamId} />}
                        {tab === 'bots' && <Bots />}
                    </Tabs>
                </>
            )}
        </section>
    );
}

/** A section's list, loaded on mount; `act` runs a change (then reloads) and shows its error in words. */
function useItems<T>(load: () => Promise<T[]>) {
    const [items, setItems] = useState<T[]>([]);
    const action = useAction(async (work?: () => Promise<unknown>) => {
        if (work) await work();
        setItems(await load());
    });
    useEffect(() => void action.run(), []);
    return {items, act: action.run, busy: action.busy, error: action.error};
}

/** Which item's form is open ('new': the add form) and its draft, filled from the item when editing. `save`
 * creates or updates, closes the form and reloads the list; a new `key` each opening gives a fresh form. */
function useEditor<I, D>(toDraft: (item: I | 'new') => D, reload: () => Promise<void>) {
    const [editing, setEditing] = useState<I | 'new' | null>(null);
    const [draft, setDraft] = useState<D>(() => toDraft('new'));
    const [key, setKey] = useState(0);
    return {
        editing,
        draft,
        key,
        open: (item: I | 'new') => {
            setDraft(toDraft(item));
            setEditing(item);
            setKey((k) => k + 1);
        },
        close: () => setEditing(null),
        set: (patch: Partial<D>) => setDraft((d) => ({...d, ...patch})),
        save: (create: (draft: D) => Promise<unknown>, update: (item: I, draft: D) => Promise<unknown>) => async () => {
            if (editing === 'new' || !editing) await create(draft);
            else await update(editing, draft);
            setEditing(null);
            await reload();
        },
    };
}

/** Asks before deleting something, in the app's confirm dialog. */
function useConfirmDelete() {
    const t = useT();
    return (name: string) => askConfirm({message: t('integrations.deleteConfirm', {name}), confirm: t('integrations.delete'), destructive: true});
}

/** A value to copy (a hook's URL, a token): read-only, selected on focus, with a Copy button. */
function CopyField({label, value}: {label: string; value: string}) {
    const t = useT();
    const [copied, setCopied] = useState(false);
    return (
        <div className="copy-field">
            <Field label={label}>
                <input type="text" readOnly value={value} dir="ltr" onFocus={(e) => e.target.select()} />
            </Field>
            <button type="button" onClick={() => void navigator.clipboard?.writeText(value).then(() => setCopied(true))}>
                {copied ? t('integrations.copied') : t('integrations.copy')}
            </button>
        </div>
    );
}

/** A section: its add button (or the open form) above the list. */
function SectionBody({addLabel, form, adding, onAdd, error, children}: {addLabel: string; form: ReactNode; adding: boolean; onAdd: () => void; error: string; children: ReactNode}) {
    return (
        <div className="form integrations-section">
            {adding ? (
                form
            ) : (
                <div className="row">
                    <button type="button" className="primary" onClick={onAdd}>
                        {addLabel}
                    </button>
                </div>
            )}
            <FormError error={error} />
            <ul className="integration-list">{children}</ul>
        </div>
    );
}

/** A create/edit form: its fields, then save and cancel; the server's refusal in words. */
function ItemForm({title, onSubmit, onCancel, children}: {title: string; onSubmit: () => Promise<void>; onCancel: () => void; children: ReactNode}) {
    const t = useT();
    const save = useAction(onSubmit);
    const ref = useRef<HTMLFormElement>(null);
    // Opened from a button further down the list: the keyboard goes to the form's first field.
    useEffect(() => ref.current?.querySelector<HTMLElement>('input, select, textarea')?.focus(), []);
    return (
        <form
            ref={ref}
            className="form integration-form"
            aria-label={title}
            onSubmit={(e: FormEvent) => {
                e.preventDefault();
                void save.run();
            }}
        >
            <h2>{title}</h2>
            {children}
            <FormError error={save.error} />
            <FormButtons submit={t('common.save')} disabled={save.busy} onCancel={onCancel} />
        </form>
    );
}

/** The team's channels the user is in (webhooks post to one of them). */
function ChannelSelect({teamId, value, onChange, optional}: {teamId: string; value: string; onChange: (id: string) => void; optional?: boolean}) {
    const t = useT();
    const channels = useStore((s) => s.channels);
    const mine = Object.values(channels)
        .filter((c) => c.team_id === teamId && (c.type === 'O' || c.type === 'P') && !c.delete_at)
        .sort((a, b) => a.display_name.localeCompare(b.display_name));
    return (
        <Field label={t('integrations.channel')}>
            <select value={value} onChange={(e) => onChange(e.target.value)} required={!optional}>
                <option value="">{optional ? t('integrations.anyChannel') : t('integrations.chooseChannel')}</option>
                {mine.map((c) => (
                    <option key={c.id} value={c.id}>
                        {c.display_name}
                    </option>
                ))}
            </select>
        </Field>
    );
}

const channelName = (channels: Record<string, {display_name: string}>, id: string) => channels[id]?.display_name ?? id;

const EMPTY_INCOMING: IncomingDraft = {channel_id: '', display_name: '', description: '', username: '', icon_url: '', channel_locked: false};

function IncomingHooks({teamId}: {teamId: string}) {
    const t = useT();
    const channels = useStore((s) => s.channels);
    const list = useItems(() => api.incoming(teamId));
    const confirmDelete = useConfirmDelete();
    const {editing, draft, key, open, close, set, save} = useEditor<IncomingHook, IncomingDraft>((hook) => (hook === 'new' ? EMPTY_INCOMING : {...EMPTY_INCOMING, ...hook}), list.act);
    const form = (
        <ItemForm
            key={key}
            title={t(editing === 'new' ? 'integrations.incoming.add' : 'integrations.incoming.edit')}
            onSubmit={save(api.createIncoming, api.updateIncoming)}
            onCancel={close}
        >
            <Field label={t('integrations.displayName')}>
                <input type="text" value={draft.display_name} maxLength={64} onChange={(e) => set({display_name: e.target.value})} />
            </Field>
            <Field label={t('integrations.description')}>
                <input type="text" value={draft.description} maxLength={500} onChange={(e) => set({description: e.target.value})} />
            </Field>
            <ChannelSelect teamId={teamId} value={draft.channel_id} onChange={(id) => set({channel_id: id})} />
            <Field check label={t('integrations.incoming.locked')}>
                <input type="checkbox" checked={draft.channel_locked} onChange={(e) => set({channel_locked: e.target.checked})} />
            </Field>
            <Field label={t('integrations.username')}>
                <input type="text" value={draft.username} maxLength={64} onChange={(e) => set({username: e.target.value})} />
            </Field>
            <Field label={t('integrations.iconUrl')}>
                <input type="url" value={draft.icon_url} dir="ltr" onChange={(e) => set({icon_url: e.target.value})} />
            </Field>
        </ItemForm>
    );
    return (
        <SectionBody addLabel={t('integrations.incoming.add')} form={form} adding={editing !== null} onAdd={() => open('new')} error={list.error}>
            {list.items.map((hook) => (
                <li key={hook.id} className="integration-item">
                    <h3>{hook.display_name || t('integrations.untitled')}</h3>
                    <p className="muted">
                        {t('integrations.postsTo', {channel: channelName(channels, hook.channel_id)})}
                        {hook.description && ' · ' + hook.description}
                    </p>
                    <CopyField label={t('integrations.incoming.url', {name: hook.display_name || hook.id})} value={hookUrl(location.origin, hook.id)} />
                    <div className="row wrap">
                        <EditButton name={hook.display_name || hook.id} onEdit={() => open(hook)} />
                        <DeleteButton name={hook.display_name || hook.id} onDelete={async () => (await confirmDelete(hook.display_name || hook.id)) && list.act(() => api.deleteIncoming(hook.id))} />
                    </div>
                </li>
            ))}
        </SectionBody>
    );
}

/** Delete (or, with `revoke`, Revoke) one named item; the name is in the button's accessible name. */
function DeleteButton({name, onDelete, revoke}: {name: string; onDelete: () => unknown; revoke?: boolean}) {
    const t = useT();
    return (
        <button type="button" className="destructive" onClick={() => void onDelete()} aria-label={t(revoke ? 'integrations.tokens.revokeNamed' : 'integrations.deleteNamed', {name})}>
            {t(revoke ? 'integrations.tokens.revoke' : 'integrations.delete')}
        </button>
    );
}

function EditButton({name, onEdit}: {name: string; onEdit: () => void}) {
    const t = useT();
    return (
        <button type="button" onClick={onEdit} aria-label={t('integrations.editNamed', {name})}>
            {t('integrations.edit')}
        </button>
    );
}

function RegenButton({name, onRegen}: {name: string; onRegen: () => unknown}) {
    const t = useT();
    return (
        <button type="button" onClick={() => void onRegen()} aria-label={t('integrations.regenNamed', {name})}>
            {t('integrations.regen')}
        </button>
    );
}

function OutgoingHooks({teamId}: {teamId: string}) {
    const t = useT();
    const channels = useStore((s) => s.channels);
    const list = useItems(() => api.outgoing(teamId));
    const confirmDelete = useConfirmDelete();
    const {editing, draft, key, open, close, set, save} = useEditor<OutgoingHook, OutgoingForm>((hook) => outgoingForm(hook === 'new' ? undefined : hook), list.act);
    const form = (
        <ItemForm
            key={key}
            title={t(editing === 'new' ? 'integrations.outgoing.add' : 'integrations.outgoing.edit')}
            onSubmit={save(
                (d) => api.createOutgoing(teamId, outgoingDraft(d)),
                (hook, d) => api.updateOutgoing(hook, outgoingDraft(d)),
            )}
            onCancel={close}
        >
            <Field label={t('integrations.displayName')}>
                <input type="text" value={draft.display_name} maxLength={64} onChange={(e) => set({display_name: e.target.value})} />
            </Field>
            <Field label={t('integrations.description')}>
                <input type="text" value={draft.description} maxLength={500} onChange={(e) => set({description: e.target.value})} />
            </Field>
            <ChannelSelect teamId={teamId} value={draft.channel_id} onChange={(id) => set({channel_id: id})} optional />
            <Field label={t('integrations.outgoing.words')}>
                <input type="text" value={draft.words} onChange={(e) => set({words: e.target.value})} />
            </Field>
            <Field label={t('integrations.outgoing.when')}>
                <select value={draft.trigger_when} onChange={(e) => set({trigger_when: Number(e.target.value)})}>
                    <option value={0}>{t('integrations.outgoing.whenFirst')}</option>
                    <option value={1}>{t('integrations.outgoing.whenStarts')}</option>
                </select>
            </Field>
            <Field label={t('integrations.outgoing.urls')}>
                <textarea value={draft.urls} rows={3} dir="ltr" required onChange={(e) => set({urls: e.target.value})} />
            </Field>
            <Field label={t('integrations.outgoing.contentType')}>
                <select value={draft.content_type} onChange={(e) => set({content_type: e.target.value})}>
                    <option value="application/x-www-form-urlencoded">application/x-www-form-urlencoded</option>
                    <option value="application/json">application/json</option>
                </select>
            </Field>
        </ItemForm>
    );
    return (
        <SectionBody addLabel={t('integrations.outgoing.add')} form={form} adding={editing !== null} onAdd={() => open('new')} error={list.error}>
            {list.items.map((hook: OutgoingHook) => {
                const label = hook.display_name || hook.trigger_words.join(', ') || hook.id;
                return (
                    <li key={hook.id} className="integration-item">
                        <h3>{label}</h3>
                        <p className="muted">
                            {hook.channel_id ? t('integrations.postsTo', {channel: channelName(channels, hook.channel_id)}) : t('integrations.anyChannel')}
                            {hook.trigger_words.length > 0 && ' · ' + t('integrations.outgoing.triggers', {words: hook.trigger_words.join(', ')})}
                        </p>
                        <p className="muted" dir="ltr">
                            {hook.callback_urls.join(' ')}
                        </p>
                        <CopyField label={t('integrations.tokenOf', {name: label})} value={hook.token} />
                        <div className="row wrap">
                            <EditButton name={label} onEdit={() => open(hook)} />
                            <RegenButton name={label} onRegen={() => list.act(() => api.regenOutgoingToken(hook.id))} />
                            <DeleteButton name={label} onDelete={async () => (await confirmDelete(label)) && list.act(() => api.deleteOutgoing(hook.id))} />
                        </div>
                    </li>
                );
            })}
        </SectionBody>
    );
}

const EMPTY_COMMAND: CommandDraft = {trigger: '', method: 'P', url: '', display_name: '', description: '', auto_complete: false, auto_complete_desc: '', auto_complete_hint: ''};

function Commands({teamId}: {teamId: string}) {
    const t = useT();
    const list = useItems(() => api.commands(teamId));
    const confirmDelete = useConfirmDelete();
    const {editing, draft, key, open, close, set, save} = useEditor<CustomCommand, CommandDraft>((command) => (command === 'new' ? EMPTY_COMMAND : {...EMPTY_COMMAND, ...command}), list.act);
    const clean = (d: CommandDraft) => ({...d, trigger: d.trigger.trim().replace(/^\//, '')});
    const form = (
        <ItemForm
            key={key}
            title={t(editing === 'new' ? 'integrations.commands.add' : 'integrations.commands.edit')}
            onSubmit={save(
                (d) => api.createCommand(teamId, clean(d)),
                (command, d) => api.updateCommand(command, clean(d)),
            )}
            onCancel={close}
        >
            <Field label={t('integrations.displayName')}>
                <input type="text" value={draft.display_name} maxLength={64} onChange={(e) => set({display_name: e.target.value})} />
            </Field>
            <Field label={t('integrations.description')}>
                <input type="text" value={draft.description} maxLength={128} onChange={(e) => set({description: e.target.value})} />
            </Field>
            <Field label={t('integrations.commands.trigger')}>
                <input type="text" value={draft.trigger} maxLength={128} required dir="ltr" onChange={(e) => set({trigger: e.target.value})} />
            </Field>
            <Field label={t('integrations.commands.url')}>
                <input type="url" value={draft.url} required dir="ltr" onChange={(e) => set({url: e.target.value})} />
            </Field>
            <Field label={t('integrations.commands.method')}>
                <select value={draft.method} onChange={(e) => set({method: e.target.value as CommandDraft['method']})}>
                    <option value="P">POST</option>
                    <option value="G">GET</option>
                </select>
            </Field>
            <Field check label={t('integrations.commands.autocomplete')}>
                <input type="checkbox" checked={draft.auto_complete} onChange={(e) => set({auto_complete: e.target.checked})} />
            </Field>
            {draft.auto_complete && (
                <>
                    <Field label={t('integrations.commands.hint')}>
                        <input type="text" value={draft.auto_complete_hint} onChange={(e) => set({auto_complete_hint: e.target.value})} />
                    </Field>
                    <Field label={t('integrations.commands.autocompleteDesc')}>
                        <input type="text" value={draft.auto_complete_desc} onChange={(e) => set({auto_complete_desc: e.target.value})} />
                    </Field>
                </>
            )}
        </ItemForm>
    );
    return (
        <SectionBody addLabel={t('integrations.commands.add')} form={form} adding={editing !== null} onAdd={() => open('new')} error={list.error}>
            {list.items.map((command: CustomCommand) => {
                const label = '/' + command.trigger;
                return (
                    <li key={command.id} className="integration-item">
                        <h3 dir="ltr">
                            {label} {command.auto_complete_hint && <span className="muted">{command.auto_complete_hint}</span>}
                        </h3>
                        <p className="muted">
                            {command.display_name}
                            {command.description && ' · ' + command.description}
                        </p>
                        <p className="muted" dir="ltr">
                            {command.method === 'G' ? 'GET' : 'POST'} {command.url}
                        </p>
                        <CopyField label={t('integrations.tokenOf', {name: label})} value={command.token} />
                        <div className="row wrap">
                            <EditButton name={label} onEdit={() => open(command)} />
                            <RegenButton name={label} onRegen={() => list.act(() => api.regenCommandToken(command.id))} />
                            <DeleteButton name={label} onDelete={async () => (await confirmDelete(label)) && list.act(() => api.deleteCommand(command.id))} />
                        </div>
                    </li>
                );
            })}
        </SectionBody>
    );
}

function Bots() {
    const t = useT();
    const list = useItems(api.bots);
    const [tokens, setTokens] = useState(false);
    useEffect(() => void client.clientConfig().then((c) => setTokens(c.EnableUserAccessTokens === 'true')), []);
    const [adding, setAdding] = useState(false);
    const [username, setUsername] = useState('');
    const [name, setName] = useState('');
    const [description, setDescription] = useState('');
    const save = async () => {
        await api.createBot(username.trim(), name, description);
        setAdding(false);
        setUsername('');
        await list.act();
    };
    const form = (
        <ItemForm title={t('integrations.bots.add')} onSubmit={save} onCancel={() => setAdding(false)}>
            <Field label={t('integrations.bots.username')}>
                <input type="text" value={username} required maxLength={64} dir="ltr" onChange={(e) => setUsername(e.target.value)} />
            </Field>
            <Field label={t('integrations.displayName')}>
                <input type="text" value={name} maxLength={64} onChange={(e) => setName(e.target.value)} />
            </Field>
            <Field label={t('integrations.description')}>
                <input type="text" value={description} maxLength={1024} onChange={(e) => setDescription(e.target.value)} />
            </Field>
        </ItemForm>
    );
    return (
        <SectionBody addLabel={t('integrations.bots.add')} form={form} adding={adding} onAdd={() => setAdding(true)} error={list.error}>
            {list.items.map((bot: Bot) => (
                <li key={bot.user_id} className="integration-item">
                    <h3>
                        @{bot.username} {bot.delete_at > 0 && <span className="badge">{t('integrations.bots.disabled')}</span>}
                    </h3>
                    <p className="muted">
                        {bot.display_name}
                        {bot.description && ' · ' + bot.description}
                    </p>
                    <div className="row wrap">
                        <button
                            type="button"
                            onClick={() => list.act(() => api.setBotEnabled(bot.user_id, bot.delete_at > 0))}
                            aria-label={t(bot.delete_at > 0 ? 'integrations.bots.enableNamed' : 'integrations.bots.disableNamed', {name: bot.username})}
                        >
                            {t(bot.delete_at > 0 ? 'integrations.bots.enable' : 'integrations.bots.disable')}
                        </button>
                    </div>
                    {tokens && !bot.delete_at && <BotTokens bot={bot} />}
                </li>
            ))}
        </SectionBody>
    );
}

/** A bot's personal access tokens: the new one's secret is shown once, then only its description. */
function BotTokens({bot}: {bot: Bot}) {
    const t = useT();
    const list = useItems(() => api.tokens(bot.user_id));
    const [description, setDescription] = useState('');
    const [created, setCreated] = useState<AccessToken | null>(null);
    const create = useAction(async () => {
        setCreated(await api.createToken(bot.user_id, description.trim()));
        setDescription('');
        await list.act();
    });
    const confirmRevoke = (name: string) => askConfirm({message: t('integrations.tokens.revokeConfirm', {name}), confirm: t('integrations.tokens.revoke'), destructive: true});
    return (
        <section className="bot-tokens" aria-label={t('integrations.tokens.of', {name: bot.username})}>
            <h4>{t('integrations.tokens.title')}</h4>
            {created?.token && (
                <div role="status">
                    <CopyField label={t('integrations.tokens.new', {name: created.description || created.id})} value={created.token} />
                    <p className="muted">{t('integrations.tokens.once')}</p>
                </div>
            )}
            <ul>
                {list.items
                    .filter((tok) => tok.is_active)
                    .map((tok) => (
                        <li key={tok.id} className="row spread">
                            <span>{tok.description || tok.id}</span>
                            <DeleteButton
                                name={tok.description || tok.id}
                                revoke
                                onDelete={async () => (await confirmRevoke(tok.description || tok.id)) && list.act(() => api.revokeToken(tok.id))}
                            />
                        </li>
                    ))}
            </ul>
            <form
                className="row wrap"
                onSubmit={(e) => {
                    e.preventDefault();
                    void create.run();
                }}
            >
                <Field label={t('integrations.tokens.description', {name: bot.username})}>
                    <input type="text" value={description} maxLength={512} required onChange={(e) => setDescription(e.target.value)} />
                </Field>
                <button type="submit" disabled={create.busy}>
                    {t('integrations.tokens.create')}
                </button>
            </form>
            <FormError error={create.error || list.error} />
        </section>
    );
}
