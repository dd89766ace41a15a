import {type FormEvent, useEffect, useMemo, useState} from 'react';
import {client} from '../api/client';
import type {Channel, Team, User} from '../api/types';
import {useT} from '../i18n/useT';
import {receiveUsers, upsertChannel} from '../state/actions';
import {channelTitle} from '../state/channels';
import {update, useStore} from '../state/store';
import {navigate} from '../router';
import {Field, FormButtons, FormError, useErrorText} from './forms';
import {Avatar, Dialog, displayName} from './common';
import {channelPath, useSidebarChannels} from './Sidebar';

const slug = (text: string) =>
    text
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 64);

function useTeamName() {
    return useStore((s) => s.teams.find((tm) => tm.id === s.teamId)?.name ?? '');
}

/** Ctrl/Cmd+K: type part of a name, Enter opens the first match. */
export function ChannelSwitcher({onClose}: {onClose: () => void}) {
    const t = useT();
    const channels = useSidebarChannels();
    const me = useStore((s) => s.me!);
    const users = useStore((s) => s.users);
    const teamName = useTeamName();
    const [query, setQuery] = useState('');
    const [active, setActive] = useState(0);
    const matches = useMemo(() => {
        const q = query.toLowerCase();
        return channels.filter((c) => !c.delete_at && (channelTitle(c, me.id, users).toLowerCase().includes(q) || c.name.includes(q))).slice(0, 12);
    }, [channels, query, me.id, users]);
    const open = (c: Channel) => {
        onClose();
        navigate(channelPath(teamName, c, me.id, (id) => users[id]?.username));
    };
    return (
        <Dialog title={t('switcher.title')} onClose={onClose}>
            <input
                type="text"
                aria-label={t('switcher.input')}
                placeholder={t('switcher.input')}
                value={query}
                role="combobox"
                aria-expanded="true"
                aria-controls="switcher-list"
                aria-activedescendant={matches[active] ? 'switch-' + matches[active].id : undefined}
                onChange={(e) => (setQuery(e.target.value), setActive(0))}
                onKeyDown={(e) => {
                    if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, matches.length - 1));
                    else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
                    else if (e.key === 'Enter' && matches[active]) open(matches[active]);
                    else return;
                    e.preventDefault();
                }}
            />
            <ul className="pick-list" id="switcher-list" role="listbox" aria-label={t('switcher.results')}>
                {matches.map((c, i) => (
                    <li key={c.id} id={'switch-' + c.id} role="option" aria-selected={i === active} className={i === active ? 'active' : ''} onClick={() => open(c)}>
                        {c.type === 'O' ? '# ' : c.type === 'P' ? '🔒 ' : '@ '}
                        {channelTitle(c, me.id, users)}
                    </li>
                ))}
                {matches.length === 0 && <li className="muted">{t('switcher.none')}</li>}
            </ul>
        </Dialog>
    );
}

export function BrowseChannels({onClose}: {onClose: () => void}) {
    const t = useT();
    const errorText = useErrorText();
    const teamId = useStore((s) => s.teamId);
    const teamName = useTeamName();
    const mine = useStore((s) => s.channels);
    const me = useStore((s) => s.me!);
    const [list, setList] = useState<Channel[] | null>(null);
    const [query, setQuery] = useState('');
    const [error, setError] = useState('');
    useEffect(() => {
        client
            .publicChannels(teamId)
            .then(setList)
            .catch((err) => setError(errorText(err)));
    }, [teamId]);
    const shown = (list ?? []).filter((c) => !mine[c.id] && (c.display_name.toLowerCase().includes(query.toLowerCase()) || c.name.includes(query.toLowerCase())));
    const join = async (c: Channel) => {
        try {
            const member = await client.joinChannel(c.id, me.id);
            await upsertChannel(c, member);
            onClose();
            navigate(`/${teamName}/channels/${c.name}`);
        } catch (err) {
            setError(errorText(err));
        }
    };
    return (
        <Dialog title={t('channel.browse')} onClose={onClose} wide>
            <input type="search" aria-label={t('channel.search')} placeholder={t('channel.search')} value={query} onChange={(e) => setQuery(e.target.value)} />
            <FormError error={error} />
            <ul className="pick-list">
                {list && shown.length === 0 && <li className="muted">{t('channel.noneToJoin')}</li>}
                {shown.map((c) => (
                    <li key={c.id} className="row spread">
                        <span>
                            <strong># {c.display_name}</strong>
                            {c.purpose && <span className="muted"> — {c.purpose}</span>}
                        </span>
                        <button type="button" onClick={() => join(c)} aria-label={t('channel.joinNamed', {name: c.display_name})}>
                            {t('channel.join')}
                        </button>
                    </li>
                ))}
            </ul>
        </Dialog>
    );
}

export function CreateChannel({onClose}: {onClose: () => void}) {
    const t = useT();
    const errorText = useErrorText();
    const teamId = useStore((s) => s.teamId);
    const teamName = useTeamName();
    const [name, setName] = useState('');
    const [purpose, setPurpose] = useState('');
    const [priv, setPriv] = useState(false);
    const [error, setError] = useState('');
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        const handle = slug(name) || 'c-' + Date.now().toString(36);
        try {
            const channel = await client.createChannel(teamId, handle, name.trim(), priv ? 'P' : 'O', purpose.trim());
            await upsertChannel(channel);
            onClose();
            navigate(`/${teamName}/channels/${channel.name}`);
        } catch (err) {
            setError(errorText(err));
        }
    };
    return (
        <Dialog title={t('channel.create')} onClose={onClose}>
            <form className="form" onSubmit={submit}>
                <Field label={t('channel.name')}>
                    <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
                </Field>
                <Field label={t('channel.purpose')}>
                    <input value={purpose} onChange={(e) => setPurpose(e.target.value)} maxLength={250} />
                </Field>
                <Field check label={t('channel.private')}>
                    <input type="checkbox" checked={priv} onChange={(e) => setPriv(e.target.checked)} />
                </Field>
                <FormError error={error} />
                <FormButtons submit={t('channel.createSubmit')} onCancel={onClose} />
            </form>
        </Dialog>
    );
}

/** Start a direct message (one person) or a group message (two to seven). */
export function DirectMessage({onClose}: {onClose: () => void}) {
    const t = useT();
    const errorText = useErrorText();
    const me = useStore((s) => s.me!);
    const teamId = useStore((s) => s.teamId);
    const teamName = useTeamName();
    const [query, setQuery] = useState('');
    const [found, setFound] = useState<User[]>([]);
    const [picked, setPicked] = useState<User[]>([]);
    const [error, setError] = useState('');
    useEffect(() => {
        let live = true;
        const timer = setTimeout(() => {
            client
                .searchUsers(query || '', teamId)
                .then((users) => {
                    if (!live) return;
                    receiveUsers(users);
                    setFound(users.filter((u) => u.id !== me.id));
                })
                .catch(() => undefined);
        }, 150);
        return () => {
            live = false;
            clearTimeout(timer);
        };
    }, [query, teamId, me.id]);
    const go = async () => {
        try {
            const channel = picked.length === 1 ? await client.directChannel(me.id, picked[0].id) : await client.groupChannel([me.id, ...picked.map((u) => u.id)]);
            await upsertChannel(channel);
            onClose();
            navigate(picked.length === 1 ? `/${teamName}/messages/@${picked[0].username}` : `/${teamName}/messages/${channel.name}`);
        } catch (err) {
            setError(errorText(err));
        }
    };
    return (
        <Dialog title={t('direct.start')} onClose={onClose} wide>
            <input type="search" aria-label={t('direct.search')} placeholder={t('direct.search')} value={query} onChange={(e) => setQuery(e.target.value)} />
            {picked.length > 0 && (
                <div className="chips">
                    {picked.map((u) => (
                        <button type="button" key={u.id} className="chip" onClick={() => setPicked(picked.filter((p) => p.id !== u.id))} aria-label={t('direct.remove', {name: u.username})}>
                            @{u.username} ×
                        </button>
                    ))}
                </div>
            )}
            <ul className="pick-list">
                {found
                    .filter((u) => !picked.some((p) => p.id === u.id))
                    .map((u) => (
                        <li key={u.id}>
                            <button type="button" className="user-row" onClick={() => picked.length < 7 && setPicked([...picked, u])}>
                                <Avatar userId={u.id} size={28} /> <strong>@{u.username}</strong> <span className="muted">{displayName(u) !== u.username ? displayName(u) : ''}</span>
                            </button>
                        </li>
                    ))}
            </ul>
            <FormError error={error} />
            <div className="row">
                <button type="button" className="primary" disabled={!picked.length} onClick={go}>
                    {t('direct.go')}
                </button>
            </div>
        </Dialog>
    );
}

/** Create a team, or join one that is open to everyone. */
export function TeamPicker({onClose, standalone}: {onClose?: () => void; standalone?: boolean}) {
    const t = useT();
    const errorText = useErrorText();
    const me = useStore((s) => s.me!);
    const myTeams = useStore((s) => s.teams);
    const [open, setOpen] = useState<Team[]>([]);
    const [name, setName] = useState('');
    const [error, setError] = useState('');
    useEffect(() => {
        client
            .listTeams()
            .then(setOpen)
            .catch(() => undefined);
    }, []);
    const enter = async (team: Team) => {
        const teams = await client.myTeams();
        update(() => ({teams}));
        onClose?.();
        navigate(`/${team.name}/channels/town-square`);
    };
    const create = async (e: FormEvent) => {
        e.preventDefault();
        try {
            await enter(await client.createTeam(slug(name) || 't-' + Date.now().toString(36), name.trim()));
        } catch (err) {
            setError(errorText(err));
        }
    };
    const join = async (team: Team) => {
        try {
            await client.joinTeam(team.id, me.id);
            await enter(team);
        } catch (err) {
            setError(errorText(err));
        }
    };
    const joinable = open.filter((tm) => !myTeams.some((m) => m.id === tm.id));
    const body = (
        <>
            {joinable.length > 0 && (
                <>
                    <h3>{t('team.joinTitle')}</h3>
                    <ul className="pick-list">
                        {joinable.map((tm) => (
                            <li key={tm.id} className="row spread">
                                <strong>{tm.display_name}</strong>
                                <button type="button" onClick={() => join(tm)} aria-label={t('team.joinNamed', {name: tm.display_name})}>
                                    {t('team.join')}
                                </button>
                            </li>
                        ))}
                    </ul>
                </>
            )}
            <form className="form" onSubmit={create}>
                <h3>{t('team.create')}</h3>
                <Field label={t('team.name')}>
                    <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
                </Field>
                <FormError error={error} />
                <button type="submit" className="primary">
                    {t('team.createSubmit')}
                </button>
            </form>
        </>
    );
    if (standalone)
        return (
            <main className="auth">
                <div className="auth-card">
                    <h1 className="brand">Kafana</h1>
                    {body}
                </div>
            </main>
        );
    return (
        <Dialog title={t('team.title')} onClose={onClose ?? (() => undefined)}>
            {body}
        </Dialog>
    );
}

