import {type FormEvent, useCallback, useEffect, useState} from 'react';
import {client} from '../api/client';
import {useT} from '../i18n/useT';
import {useErrorText} from '../components/forms';
import {displayName, useTimeFormat} from '../components/common';
import {receiveUsers} from '../state/actions';
import {useStore} from '../state/store';
import {act, ACTIONS, addNote, getReport, listReports, type ModAction, type Report, type ReportDetail, STATES, type TimelineEvent, updateReport} from './api';
import './moderation.css';
import {askConfirm} from '../components/ConfirmDialog';

/** The moderators' queue: filters, the reports, and the chosen report with its timeline, notes and actions. */
export function ModerationPage() {
    const t = useT();
    const fmt = useTimeFormat();
    const errorText = useErrorText();
    const [state, setState] = useState('open,in_review');
    const [mine, setMine] = useState(false);
    const [reports, setReports] = useState<Report[]>([]);
    const [chosen, setChosen] = useState<ReportDetail | null>(null);
    const [error, setError] = useState('');
    const refresh = useCallback(async () => {
        try {
            const found = await listReports(state, mine);
            setReports(found);
            await loadUsers(found.flatMap((r) => [r.reporter_id, r.post.user_id, r.assignee_id]));
        } catch (err) {
            setError(errorText(err));
        }
    }, [state, mine, errorText]);
    useEffect(() => {
        void refresh();
    }, [refresh]);
    const open = async (id: string) => {
        const detail = await getReport(id);
        await loadUsers([...detail.timeline.map((e) => e.user_id), ...detail.timeline.filter((e) => e.kind === 'assigned').map((e) => e.value)]);
        setChosen(detail);
    };
    const changed = async (detail: ReportDetail) => {
        setChosen(detail);
        await refresh();
    };
    return (
        <section className="moderation" aria-labelledby="moderation-title">
            <h1 id="moderation-title">{t('mod.title')}</h1>
            <div>
                <div className="filters">
                    <label>
                        {t('mod.filterState')}
                        <select value={state} onChange={(e) => setState(e.target.value)}>
                            <option value="open,in_review">{t('mod.state.active')}</option>
                            {STATES.map((s) => (
                                <option key={s} value={s}>
                                    {t('mod.state.' + s)}
                                </option>
                            ))}
                            <option value="">{t('mod.state.all')}</option>
                        </select>
                    </label>
                    <label className="check">
                        <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> {t('mod.assignedToMe')}
                    </label>
                </div>
                {error && (
                    <p className="form-error" role="alert">
                        {error}
                    </p>
                )}
                <h2 className="visually-hidden">{t('mod.queue')}</h2>
                <ul className="report-list" aria-label={t('mod.queue')}>
                    {reports.map((r) => (
                        <li key={r.id}>
                            <button type="button" aria-current={chosen?.id === r.id} onClick={() => void open(r.id)}>
                                <strong>@{r.post.username}</strong> · {t('mod.state.' + r.state)} · {fmt.full(r.create_at)}
                                <br />
                                <span className="muted">{r.reason}</span>
                            </button>
                        </li>
                    ))}
                    {reports.length === 0 && <li className="muted">{t('mod.empty')}</li>}
                </ul>
            </div>
            {chosen ? <ReportView key={chosen.id} report={chosen} onChanged={changed} /> : <p className="muted">{t('mod.select')}</p>}
        </section>
    );
}

async function loadUsers(ids: string[]) {
    const wanted = [...new Set(ids.filter(Boolean))];
    if (wanted.length) receiveUsers(await client.usersByIds(wanted));
}

function ReportView({report, onChanged}: {report: ReportDetail; onChanged: (r: ReportDetail) => Promise<void>}) {
    const t = useT();
    const fmt = useTimeFormat();
    const errorText = useErrorText();
    const me = useStore((s) => s.me!);
    const users = useStore((s) => s.users);
    const [note, setNote] = useState('');
    const [reason, setReason] = useState('');
    const [message, setMessage] = useState('');
    const [hours, setHours] = useState(24);
    const [status, setStatus] = useState('');
    const [error, setError] = useState('');
    const run = async (work: () => Promise<unknown>) => {
        setError('');
        setStatus('');
        try {
            await work();
            await onChanged(await getReport(report.id));
            setStatus(t('mod.done'));
        } catch (err) {
            setError(errorText(err));
        }
    };
    const name = (id: string) => (id ? displayName(users[id]) : t('mod.system'));
    const where = report.channel.type === 'D' ? t('mod.directMessage') : report.channel.type === 'G' ? t('mod.groupMessage') : '~' + (report.channel.display_name || report.channel.name);
    const describe = (e: TimelineEvent) => {
        if (e.kind === 'state') return t('mod.event.state', {state: t('mod.state.' + e.value)});
        if (e.kind === 'assigned') return e.value ? t('mod.event.assigned', {assignee: name(e.value)}) : t('mod.event.unassigned');
        if (e.kind === 'action') return t('mod.event.action', {action: t('mod.action.' + e.value)});
        return t('mod.event.' + e.kind);
    };
    const doAction = async (action: ModAction) => {
        const label = t('mod.action.' + action);
        if (!(await askConfirm({message: t('mod.confirm', {action: label}), confirm: label, destructive: action !== 'warn'}))) return;
        void run(() => act(report.id, {action, reason: reason.trim(), ...(action === 'warn' && message.trim() ? {message: message.trim()} : {}), ...(action === 'suspend' ? {hours} : {})}));
    };
    const submitNote = (e: FormEvent) => {
        e.preventDefault();
        void run(async () => {
            await addNote(report.id, note.trim());
            setNote('');
        });
    };
    return (
        <article className="report-detail" aria-labelledby="report-title">
            <h2 id="report-title">{t('mod.reportOf', {name: '@' + report.post.username, where})}</h2>
            <blockquote>{report.post.message}</blockquote>
            <p className="muted">
                {fmt.full(report.post.create_at)} · {t('mod.reportedBy', {name: name(report.reporter_id)})}
            </p>
            <p>{t('mod.reasonLabel', {reason: report.reason})}</p>
            <div className="row">
                <label>
                    {t('mod.setState')}{' '}
                    <select value={report.state} onChange={(e) => void run(() => updateReport(report.id, {state: e.target.value as Report['state']}))}>
                        {STATES.map((s) => (
                            <option key={s} value={s}>
                                {t('mod.state.' + s)}
                            </option>
                        ))}
                    </select>
                </label>
                <span>
                    {t('mod.assignee')}: {report.assignee_id ? name(report.assignee_id) : t('mod.nobody')}
                </span>
                {report.assignee_id !== me.id && (
                    <button type="button" onClick={() => void run(() => updateReport(report.id, {assignee_id: me.id}))}>
                        {t('mod.assignMe')}
                    </button>
                )}
            </div>
            <h3>{t('mod.timeline')}</h3>
            <ol className="timeline">
                {report.timeline.map((e) => (
                    <li key={e.id}>
                        <time dateTime={new Date(e.create_at).toISOString()}>{fmt.full(e.create_at)}</time> — {name(e.user_id)}: {describe(e)}
                        {e.text && e.kind !== 'created' ? <> — “{e.text}”</> : null}
                    </li>
                ))}
            </ol>
            <form className="form" onSubmit={submitNote}>
                <label>
                    {t('mod.note')}
                    <textarea value={note} maxLength={4000} onChange={(e) => setNote(e.target.value)} />
                </label>
                <div className="row">
                    <button type="submit" disabled={!note.trim()}>
                        {t('mod.addNote')}
                    </button>
                </div>
            </form>
            <h3>{t('mod.actions')}</h3>
            <div className="form">
                <label>
                    {t('mod.actionReason')}
                    <input type="text" value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} />
                </label>
                <label>
                    {t('mod.warnMessage')}
                    <textarea value={message} maxLength={4000} onChange={(e) => setMessage(e.target.value)} />
                </label>
                <label>
                    {t('mod.hours')}
                    <input type="number" min={1} max={8784} value={hours} onChange={(e) => setHours(Number(e.target.value) || 1)} />
                </label>
                <div className="actions-grid">
                    {ACTIONS.map((a) => (
                        <button key={a} type="button" className={a === 'deactivate' || a === 'remove_post' ? 'danger' : ''} disabled={!reason.trim()} onClick={() => void doAction(a)}>
                            {t('mod.action.' + a)}
                        </button>
                    ))}
                </div>
            </div>
            {status && <p role="status">{status}</p>}
            {error && (
                <p className="form-error" role="alert">
                    {error}
                </p>
            )}
        </article>
    );
}
