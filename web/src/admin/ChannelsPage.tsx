import {useEffect, useState} from 'react';
import type {Team} from '../api/types';
import {useT} from '../i18n/useT';
import {askConfirm} from '../components/ConfirmDialog';
import {Field, FormError, useAction} from '../components/forms';
import {adminApi, type ChannelWithTeam} from './api';

const matches = (tm: Team, term: string) => (tm.name + ' ' + tm.display_name).toLowerCase().includes(term.trim().toLowerCase());

/** Teams (search, archive, restore) and every team's channels (search, archive, unarchive, public ⇄ private, move to
 * another team). */
export function ChannelsPage() {
    const t = useT();
    const [teams, setTeams] = useState<Team[]>([]);
    const [teamTerm, setTeamTerm] = useState('');
    const [term, setTerm] = useState('');
    const [archived, setArchived] = useState(false);
    const [channels, setChannels] = useState<ChannelWithTeam[]>([]);
    const [notice, setNotice] = useState('');
    const [moving, setMoving] = useState<Record<string, string>>({});
    const refresh = async () => {
        const [allTeams, found] = await Promise.all([adminApi.teams(), adminApi.searchChannels(term.trim(), archived)]);
        setTeams(allTeams);
        setChannels(found);
    };
    const load = useAction(refresh);
    useEffect(() => {
        const timer = setTimeout(() => void load.run(), 250);
        return () => clearTimeout(timer);
    }, [term, archived]);
    const act = useAction(async (work: () => Promise<unknown>, done: string) => {
        setNotice('');
        await work();
        await refresh();
        setNotice(done);
    });
    const confirmThen = async (message: string, confirm: string, work: () => Promise<unknown>, done: string) => {
        if (await askConfirm({message, confirm, destructive: true})) await act.run(work, done);
    };
    const move = async (c: ChannelWithTeam) => {
        const teamId = moving[c.id];
        const team = teams.find((tm) => tm.id === teamId);
        if (!team) return;
        const message = t('console.channels.moveConfirm', {channel: c.display_name, team: team.display_name});
        await confirmThen(message, t('console.channels.move'), () => adminApi.moveChannel(c.id, teamId, true), t('console.channels.moved', {name: c.display_name}));
    };
    return (
        <div className="form">
            <section className="form" aria-labelledby="console-teams-title">
                <h3 id="console-teams-title">{t('console.teams')}</h3>
                <input type="search" aria-label={t('console.teams.search')} placeholder={t('console.teams.search')} value={teamTerm} onChange={(e) => setTeamTerm(e.target.value)} />
                <ul className="admin-users" aria-label={t('console.teams')}>
                    {teams.filter((tm) => matches(tm, teamTerm)).map((tm) => (
                        <li key={tm.id} className="admin-user row wrap spread">
                            <span>
                                <strong>{tm.display_name}</strong> <span className="muted">/{tm.name}</span>
                                {tm.delete_at > 0 && <span className="badge">{t('channel.archived')}</span>}
                            </span>
                            {tm.delete_at > 0 ? (
                                <button type="button" onClick={() => act.run(() => adminApi.restoreTeam(tm.id), t('console.done.restored', {name: tm.display_name}))}>
                                    {t('console.unarchive')}
                                </button>
                            ) : (
                                <button
                                    type="button"
                                    className="danger"
                                    onClick={() =>
                                        confirmThen(
                                            t('console.teams.archiveConfirm', {name: tm.display_name}),
                                            t('console.archive'),
                                            () => adminApi.archiveTeam(tm.id),
                                            t('console.done.archived', {name: tm.display_name}),
                                        )
                                    }
                                    aria-label={t('console.archiveNamed', {name: tm.display_name})}
                                >
                                    {t('console.archive')}
                                </button>
                            )}
                        </li>
                    ))}
                </ul>
            </section>
            <section className="form" aria-labelledby="console-channels-title">
                <h3 id="console-channels-title">{t('console.channels')}</h3>
                <div className="row wrap">
                    <input type="search" aria-label={t('console.channels.search')} placeholder={t('console.channels.search')} value={term} onChange={(e) => setTerm(e.target.value)} />
                    <Field check label={t('console.channels.archivedOnly')}>
                        <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} />
                    </Field>
                </div>
                <FormError error={load.error || act.error} />
                {notice && <p role="status">{notice}</p>}
                <ul className="admin-users" aria-label={t('console.channels')}>
                    {channels.map((c) => (
                        <li key={c.id} className="admin-user">
                            <div>
                                <strong>
                                    {c.type === 'P' ? '🔒 ' : '# '}
                                    {c.display_name}
                                </strong>{' '}
                                <span className="muted">
                                    {c.team_display_name} · {t(c.type === 'P' ? 'console.channels.private' : 'console.channels.public')}
                                </span>
                                {c.delete_at > 0 && <span className="badge">{t('channel.archived')}</span>}
                            </div>
                            <div className="row wrap">
                                {c.delete_at > 0 ? (
                                    <button type="button" onClick={() => act.run(() => adminApi.restoreChannel(c.id), t('console.done.restored', {name: c.display_name}))}>
                                        {t('console.unarchive')}
                                    </button>
                                ) : (
                                    <>
                                        <button
                                            type="button"
                                            onClick={() =>
                                                act.run(() => adminApi.setPrivacy(c.id, c.type === 'P' ? 'O' : 'P'), t('console.done.privacy', {name: c.display_name}))
                                            }
                                        >
                                            {t(c.type === 'P' ? 'console.channels.makePublic' : 'console.channels.makePrivate')}
                                        </button>
                                        <button
                                            type="button"
                                            className="danger"
                                            aria-label={t('console.archiveNamed', {name: c.display_name})}
                                            onClick={() =>
                                                confirmThen(
                                                    t('channel.archiveConfirm', {name: c.display_name}),
                                                    t('console.archive'),
                                                    () => adminApi.archiveChannel(c.id),
                                                    t('console.done.archived', {name: c.display_name}),
                                                )
                                            }
                                        >
                                            {t('console.archive')}
                                        </button>
                                        <select
                                            aria-label={t('console.channels.moveTo', {name: c.display_name})}
                                            value={moving[c.id] ?? ''}
                                            onChange={(e) => setMoving((m) => ({...m, [c.id]: e.target.value}))}
                                        >
                                            <option value="">{t('console.channels.chooseTeam')}</option>
                                            {teams
                                                .filter((tm) => tm.id !== c.team_id && !tm.delete_at)
                                                .map((tm) => (
                                                    <option key={tm.id} value={tm.id}>
                                                        {tm.display_name}
                                                    </option>
                                                ))}
                                        </select>
                                        <button type="button" disabled={!moving[c.id]} onClick={() => void move(c)}>
                                            {t('console.channels.move')}
                                        </button>
                                    </>
                                )}
                            </div>
                        </li>
                    ))}
                </ul>
            </section>
        </div>
    );
}
