import {useEffect, useState} from 'react';
import {client} from '../api/client';
import type {LiveSetting, Team} from '../api/types';
import {useT} from '../i18n/useT';
import {settingValue} from '../state/accounts';
import {askConfirm} from '../components/ConfirmDialog';
import {Field, FormButtons, FormError, SaveFooter, useAction, useSubmit} from '../components/forms';
import {forgetRetention} from '../state/retention';
import {adminApi, type ChannelWithTeam, type RetentionPolicy} from './api';

/** Data retention: the global policy (two live settings; 0 keeps forever) and custom policies for chosen teams
 * and channels, which win over it (/data_retention/policies). */
export function RetentionPage() {
    const t = useT();
    const [policies, setPolicies] = useState<RetentionPolicy[]>([]);
    const [editing, setEditing] = useState<RetentionPolicy | 'new' | null>(null);
    const load = useAction(async () => setPolicies(await adminApi.policies()));
    useEffect(() => void load.run(), []);
    const remove = useAction(async (p: RetentionPolicy) => {
        if (!(await askConfirm({message: t('console.retention.deleteConfirm', {name: p.display_name}), confirm: t('console.retention.delete'), destructive: true}))) return;
        await adminApi.deletePolicy(p.id);
        forgetRetention();
        await load.run();
    });
    const days = (d: number) => (d > 0 ? t('console.retention.days', {count: d}) : t('console.retention.forever'));
    return (
        <div className="form">
            <GlobalPolicy />
            <section className="form" aria-labelledby="custom-policies-title">
                <h3 id="custom-policies-title">{t('console.retention.custom')}</h3>
                <p className="muted">{t('console.retention.customHint')}</p>
                {policies.length === 0 && <p className="muted">{t('console.retention.noPolicies')}</p>}
                <ul className="admin-users" aria-label={t('console.retention.custom')}>
                    {policies.map((p) => (
                        <li key={p.id} className="admin-user row wrap spread">
                            <span>
                                <strong>{p.display_name}</strong> · {days(p.post_duration)} ·{' '}
                                <span className="muted">{t('console.retention.applies', {teams: p.team_count, channels: p.channel_count})}</span>
                            </span>
                            <span className="row">
                                <button type="button" onClick={() => setEditing(p)} aria-label={t('console.retention.editNamed', {name: p.display_name})}>
                                    {t('console.edit')}
                                </button>
                                <button type="button" className="danger" onClick={() => remove.run(p)} aria-label={t('console.retention.deleteNamed', {name: p.display_name})}>
                                    {t('console.retention.delete')}
                                </button>
                            </span>
                        </li>
                    ))}
                </ul>
                <FormError error={load.error || remove.error} />
                {editing ? (
                    <PolicyEditor
                        policy={editing === 'new' ? null : editing}
                        onDone={() => {
                            setEditing(null);
                            forgetRetention();
                            void load.run();
                        }}
                    />
                ) : (
                    <div className="row">
                        <button type="button" onClick={() => setEditing('new')}>
                            {t('console.retention.add')}
                        </button>
                    </div>
                )}
            </section>
        </div>
    );
}

/** Days or "keep forever": a checkbox and a number, as one value (0 or -1 keeps forever). */
function DaysInput({label, value, onChange, forever}: {label: string; value: number; onChange: (v: number) => void; forever: string}) {
    const keep = value <= 0;
    return (
        <fieldset>
            <legend>{label}</legend>
            <Field check label={forever}>
                <input type="checkbox" checked={keep} onChange={(e) => onChange(e.target.checked ? 0 : 90)} />
            </Field>
            {!keep && (
                <Field label={label}>
                    <input type="number" min={1} max={36500} inputMode="numeric" value={value} onChange={(e) => onChange(Math.max(0, Math.floor(Number(e.target.value) || 0)))} />
                </Field>
            )}
        </fieldset>
    );
}

function GlobalPolicy() {
    const t = useT();
    const [messages, setMessages] = useState<number | null>(null);
    const [files, setFiles] = useState(0);
    const [saved, setSaved] = useState(false);
    const show = (list: LiveSetting[]) => {
        setMessages(Number(settingValue(list, 'retention_message_days')));
        setFiles(Number(settingValue(list, 'retention_file_days')));
    };
    const load = useAction(async () => show(await client.liveSettings()));
    useEffect(() => void load.run(), []);
    const save = useSubmit(async () => {
        setSaved(false);
        show(await client.updateLiveSettings({retention_message_days: messages ?? 0, retention_file_days: files}));
        forgetRetention();
        setSaved(true);
    });
    if (messages === null) return <FormError error={load.error} />;
    return (
        <form className="form" onSubmit={save.submit} aria-labelledby="global-policy-title">
            <h3 id="global-policy-title">{t('console.retention.global')}</h3>
            <DaysInput label={t('console.retention.messageDays')} value={messages} onChange={(v) => (setMessages(v), setSaved(false))} forever={t('console.retention.keepForever')} />
            <DaysInput label={t('console.retention.fileDays')} value={files} onChange={(v) => (setFiles(v), setSaved(false))} forever={t('console.retention.sameAsMessages')} />
            <SaveFooter error={save.error} saved={saved} busy={save.busy} />
        </form>
    );
}

function PolicyEditor({policy, onDone}: {policy: RetentionPolicy | null; onDone: () => void}) {
    const t = useT();
    const [name, setName] = useState(policy?.display_name ?? '');
    const [days, setDays] = useState(policy ? Math.max(policy.post_duration, 0) : 30);
    const [teams, setTeams] = useState<Team[]>([]);
    const [teamIds, setTeamIds] = useState<Set<string>>(new Set());
    const [channels, setChannels] = useState<ChannelWithTeam[]>([]);
    const [before, setBefore] = useState<{teams: string[]; channels: string[]}>({teams: [], channels: []});
    const [term, setTerm] = useState('');
    const [found, setFound] = useState<ChannelWithTeam[]>([]);
    const load = useAction(async () => {
        setTeams(await adminApi.teams());
        if (!policy) return;
        const [assignedTeams, assignedChannels] = await Promise.all([adminApi.policyTeams(policy.id), adminApi.policyChannels(policy.id)]);
        setTeamIds(new Set(assignedTeams.map((tm) => tm.id)));
        setChannels(assignedChannels);
        setBefore({teams: assignedTeams.map((tm) => tm.id), channels: assignedChannels.map((c) => c.id)});
    });
    useEffect(() => void load.run(), []);
    const search = useAction(async () => setFound(term.trim() ? await adminApi.searchChannels(term.trim(), false) : []));
    useEffect(() => {
        const timer = setTimeout(() => void search.run(), 250);
        return () => clearTimeout(timer);
    }, [term]);
    const save = useSubmit(async () => {
        const draft = {display_name: name, post_duration: days > 0 ? days : -1};
        const channelIds = channels.map((c) => c.id);
        if (!policy) await adminApi.createPolicy(draft, [...teamIds], channelIds);
        else {
            await adminApi.patchPolicy(policy.id, draft);
            const diff = (now: string[], was: string[]) => [now.filter((id) => !was.includes(id)), was.filter((id) => !now.includes(id))];
            const [addTeams, dropTeams] = diff([...teamIds], before.teams);
            const [addChannels, dropChannels] = diff(channelIds, before.channels);
            await adminApi.assign(policy.id, 'teams', addTeams, true);
            await adminApi.assign(policy.id, 'teams', dropTeams, false);
            await adminApi.assign(policy.id, 'channels', addChannels, true);
            await adminApi.assign(policy.id, 'channels', dropChannels, false);
        }
        onDone();
    });
    const toggleTeam = (id: string, on: boolean) =>
        setTeamIds((ids) => {
            const next = new Set(ids);
            if (on) next.add(id);
            else next.delete(id);
            return next;
        });
    return (
        <form className="form console-box" onSubmit={save.submit} aria-labelledby="policy-editor-title">
            <h4 id="policy-editor-title">{policy ? t('console.retention.editNamed', {name: policy.display_name}) : t('console.retention.add')}</h4>
            <Field label={t('console.retention.name')}>
                <input type="text" required maxLength={64} value={name} onChange={(e) => setName(e.target.value)} />
            </Field>
            <DaysInput label={t('console.retention.messageDays')} value={days} onChange={setDays} forever={t('console.retention.keepForever')} />
            <fieldset>
                <legend>{t('console.retention.teams')}</legend>
                {teams.map((tm) => (
                    <Field check key={tm.id} label={tm.display_name}>
                        <input type="checkbox" checked={teamIds.has(tm.id)} onChange={(e) => toggleTeam(tm.id, e.target.checked)} />
                    </Field>
                ))}
            </fieldset>
            <fieldset>
                <legend>{t('console.retention.channels')}</legend>
                <ul className="admin-users">
                    {channels.map((c) => (
                        <li key={c.id} className="row spread">
                            <span>
                                {c.team_display_name} / {c.display_name}
                            </span>
                            <button type="button" onClick={() => setChannels((all) => all.filter((x) => x.id !== c.id))} aria-label={t('console.retention.removeChannel', {name: c.display_name})}>
                                {t('console.remove')}
                            </button>
                        </li>
                    ))}
                </ul>
                <input type="search" aria-label={t('console.retention.findChannel')} placeholder={t('console.retention.findChannel')} value={term} onChange={(e) => setTerm(e.target.value)} />
                <ul className="admin-users">
                    {found
                        .filter((c) => !channels.some((x) => x.id === c.id))
                        .map((c) => (
                            <li key={c.id} className="row spread">
                                <span>
                                    {c.team_display_name} / {c.display_name}
                                </span>
                                <button type="button" onClick={() => setChannels((all) => [...all, c])} aria-label={t('console.retention.addChannel', {name: c.display_name})}>
                                    {t('console.add')}
                                </button>
                            </li>
                        ))}
                </ul>
            </fieldset>
            <FormError error={load.error || search.error || save.error} />
            <FormButtons submit={t('common.save')} disabled={save.busy || !name.trim()} onCancel={onDone} />
        </form>
    );
}
