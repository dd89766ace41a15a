import {type FormEvent, useEffect, useMemo, useState} from 'react';
import {useT} from '../i18n/useT';
import {askConfirm} from '../components/ConfirmDialog';
import {Field, FormButtons, FormError, useAction} from '../components/forms';
import {adminApi, type ChannelWithTeam} from '../admin/api';
import {type Bridge, type BridgeKind, integrationsApi as api} from './api';
import {BRIDGE_FIELDS, bridgeConfig, type BridgeForm, bridgeTarget} from './state';
import './integrations.css';

const KINDS: BridgeKind[] = ['irc', 'telegram', 'discord'];

/** The system console's bridges (GET/POST/DELETE /kafana/bridges): each maps one IRC channel, Telegram chat
 * or Discord channel to one Kafana channel. Secrets typed here go to the server and are never shown again. */
export function BridgesPage() {
    const t = useT();
    const [bridges, setBridges] = useState<Bridge[]>([]);
    const [channels, setChannels] = useState<ChannelWithTeam[]>([]);
    const [adding, setAdding] = useState(false);
    const [notice, setNotice] = useState('');
    const load = useAction(async (work?: () => Promise<unknown>) => {
        if (work) await work();
        const [found, all] = await Promise.all([api.bridges(), adminApi.searchChannels('', false)]);
        setBridges(found);
        setChannels(all.filter((c) => c.type === 'O' || c.type === 'P'));
    });
    useEffect(() => void load.run(), []);
    const byId = useMemo(() => Object.fromEntries(channels.map((c) => [c.id, c])), [channels]);
    const channelLabel = (id: string) => (byId[id] ? `${byId[id].team_display_name} / ${byId[id].display_name}` : id);
    const remove = async (b: Bridge) => {
        const name = t('bridges.kind.' + b.kind) + ' ' + bridgeTarget(b);
        if (!(await askConfirm({title: t('bridges.removeTitle'), message: t('bridges.removeConfirm', {name, channel: channelLabel(b.channel_id)}), confirm: t('bridges.remove'), destructive: true})))
            return;
        setNotice('');
        await load.run(() => api.removeBridge(b.id));
        setNotice(t('bridges.removed', {name}));
    };
    return (
        <div className="form">
            <p className="muted">{t('bridges.hint')}</p>
            {adding ? (
                <AddBridge
                    channels={channels}
                    onCancel={() => setAdding(false)}
                    onAdded={async () => {
                        setAdding(false);
                        setNotice(t('bridges.added'));
                        await load.run();
                    }}
                />
            ) : (
                <div className="row">
                    <button type="button" className="primary" onClick={() => (setAdding(true), setNotice(''))}>
                        {t('bridges.add')}
                    </button>
                </div>
            )}
            <FormError error={load.error} />
            <p role="status">{notice}</p>
            {bridges.length === 0 ? (
                <p className="muted">{t('bridges.none')}</p>
            ) : (
                <table className="bridges-table">
                    <caption className="visually-hidden">{t('console.tab.bridges')}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t('bridges.kind')}</th>
                            <th scope="col">{t('bridges.remote')}</th>
                            <th scope="col">{t('bridges.channel')}</th>
                            <th scope="col">{t('bridges.state')}</th>
                            <th scope="col">
                                <span className="visually-hidden">{t('bridges.actions')}</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        {bridges.map((b) => (
                            <tr key={b.id}>
                                <td>{t('bridges.kind.' + b.kind)}</td>
                                <td dir="ltr">{bridgeTarget(b)}</td>
                                <td>{channelLabel(b.channel_id)}</td>
                                <td>{t(b.enabled ? 'bridges.enabled' : 'bridges.disabled')}</td>
                                <td>
                                    <button type="button" className="destructive" onClick={() => void remove(b)} aria-label={t('bridges.removeNamed', {name: bridgeTarget(b)})}>
                                        {t('bridges.remove')}
                                    </button>
                                </td>
                            </tr>
                        ))}
                    </tbody>
                </table>
            )}
        </div>
    );
}

function AddBridge({channels, onCancel, onAdded}: {channels: ChannelWithTeam[]; onCancel: () => void; onAdded: () => Promise<void>}) {
    const t = useT();
    const [kind, setKind] = useState<BridgeKind>('irc');
    const [channelId, setChannelId] = useState('');
    const [form, setForm] = useState<BridgeForm>({});
    const save = useAction(async (config: Record<string, unknown>) => {
        await api.addBridge(kind, channelId, config);
        setForm({});
        await onAdded();
    });
    const submit = (e: FormEvent) => {
        e.preventDefault();
        const {config, missing} = bridgeConfig(kind, form);
        if (missing) save.setError(t('bridges.missing', {field: t(`bridges.field.${kind}.${missing}`)}));
        else void save.run(config);
    };
    return (
        <form className="form integration-form" aria-labelledby="bridge-add-title" onSubmit={submit}>
            <h3 id="bridge-add-title">{t('bridges.add')}</h3>
            <Field label={t('bridges.kind')}>
                <select value={kind} onChange={(e) => setKind(e.target.value as BridgeKind)}>
                    {KINDS.map((k) => (
                        <option key={k} value={k}>
                            {t('bridges.kind.' + k)}
                        </option>
                    ))}
                </select>
            </Field>
            <Field label={t('bridges.channel')}>
                <select value={channelId} required onChange={(e) => setChannelId(e.target.value)}>
                    <option value="">{t('integrations.chooseChannel')}</option>
                    {channels.map((c) => (
                        <option key={c.id} value={c.id}>
                            {c.team_display_name} / {c.display_name}
                        </option>
                    ))}
                </select>
            </Field>
            {BRIDGE_FIELDS[kind].map((field) => {
                const label = t(`bridges.field.${kind}.${field.name}`);
                return field.check ? (
                    <Field check key={kind + field.name} label={label}>
                        <input type="checkbox" checked={form[field.name] === true} onChange={(e) => setForm((f) => ({...f, [field.name]: e.target.checked}))} />
                    </Field>
                ) : (
                    <Field key={kind + field.name} label={label}>
                        <input
                            type={field.secret ? 'password' : 'text'}
                            autoComplete={field.secret ? 'new-password' : 'off'}
                            dir="ltr"
                            required={!field.optional}
                            value={typeof form[field.name] === 'string' ? (form[field.name] as string) : ''}
                            onChange={(e) => setForm((f) => ({...f, [field.name]: e.target.value}))}
                        />
                    </Field>
                );
            })}
            <FormError error={save.error} />
            <FormButtons submit={t('bridges.addSubmit')} disabled={save.busy} onCancel={onCancel} />
        </form>
    );
}
