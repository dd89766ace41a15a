import {useEffect, useState} from 'react';
import {useT} from '../i18n/useT';
import {useTimeFormat} from '../components/common';
import {Field, FormError, useAction, useSubmit} from '../components/forms';
import {adminApi, JOB_TYPES, RUNNABLE, type Job} from './api';

const ACTIVE = new Set(['pending', 'in_progress', 'cancel_requested']);
const POLL_MS = 1000;

/** Background job runs of one type, newest first, with progress; "Run now" asks for a run (POST /jobs) and
 * the list follows it while it runs (polled each second, since any node may run it). */
export function JobsPage() {
    const t = useT();
    const when = useTimeFormat();
    const [type, setType] = useState<string>(JOB_TYPES[0]);
    const [jobs, setJobs] = useState<Job[] | null>(null);
    const load = useAction(async () => setJobs(await adminApi.jobs(type)));
    const act = useAction(async (work: () => Promise<unknown>) => {
        await work();
        setJobs(await adminApi.jobs(type));
    });
    useEffect(() => {
        setJobs(null);
        void load.run();
    }, [type]);
    const running = jobs?.some((j) => ACTIVE.has(j.status)) ?? false;
    useEffect(() => {
        if (!running) return;
        const timer = setInterval(() => void load.run(), POLL_MS);
        return () => clearInterval(timer);
    }, [running, type]);
    const detail = (j: Job) =>
        Object.entries(j.data)
            .filter(([k]) => k !== 'import_file')
            .map(([k, v]) => `${k.replace(/_/g, ' ')}: ${v}`)
            .join(', ');
    return (
        <div className="form">
            <div className="row wrap spread">
                <Field label={t('console.jobs.type')}>
                    <select value={type} onChange={(e) => setType(e.target.value)}>
                        {JOB_TYPES.map((jt) => (
                            <option key={jt} value={jt}>
                                {t('console.jobType.' + jt)}
                            </option>
                        ))}
                    </select>
                </Field>
                {RUNNABLE.has(type) && (
                    <button type="button" className="primary" disabled={act.busy} onClick={() => act.run(() => adminApi.createJob(type))}>
                        {t('console.jobs.runNow')}
                    </button>
                )}
            </div>
            {type === 'import_process' && <ImportUpload onStarted={() => load.run()} />}
            <FormError error={load.error || act.error} />
            {jobs && jobs.length === 0 && <p className="muted">{t('console.jobs.none')}</p>}
            <ul className="console-jobs" aria-label={t('console.jobs.history')} aria-live="polite">
                {jobs?.map((j) => (
                    <li key={j.id} className="console-job">
                        <div className="row wrap spread">
                            <strong>{t('console.jobStatus.' + j.status)}</strong>
                            <span className="muted">
                                {j.start_at ? t('console.jobs.started', {time: when.full(j.start_at)}) : t('console.jobs.queued', {time: when.full(j.create_at)})}
                            </span>
                        </div>
                        <progress max={100} value={j.progress} aria-label={t('console.jobs.progress', {status: t('console.jobStatus.' + j.status)})}>
                            {j.progress}%
                        </progress>
                        <div className="row wrap spread">
                            <span>{j.progress}%</span>
                            {!ACTIVE.has(j.status) && j.last_activity_at > 0 && <span className="muted">{t('console.jobs.ended', {time: when.full(j.last_activity_at)})}</span>}
                            {(j.status === 'pending' || j.status === 'in_progress') && (
                                <button type="button" onClick={() => act.run(() => adminApi.cancelJob(j.id))}>
                                    {t('console.jobs.cancel')}
                                </button>
                            )}
                        </div>
                        {detail(j) && <p className="muted console-job-data">{detail(j)}</p>}
                    </li>
                ))}
            </ul>
        </div>
    );
}

/** Upload a bulk export (.zip or .jsonl) with its upload progress; the server starts the import job. */
function ImportUpload({onStarted}: {onStarted: () => void}) {
    const t = useT();
    const [file, setFile] = useState<File | null>(null);
    const [sent, setSent] = useState<number | null>(null);
    const upload = useSubmit(async () => {
        if (!file) return;
        setSent(0);
        try {
            await adminApi.uploadImport(file, (loaded, total) => setSent(total ? Math.round((loaded * 100) / total) : 0)).done;
        } finally {
            setSent(null);
        }
        setFile(null);
        onStarted();
    });
    return (
        <form className="form console-box" onSubmit={upload.submit} aria-labelledby="import-upload-title">
            <h3 id="import-upload-title">{t('console.import.title')}</h3>
            <p className="muted">{t('console.import.hint')}</p>
            <Field label={t('console.import.file')}>
                <input key={file ? 'chosen' : 'empty'} type="file" accept=".zip,.jsonl" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            </Field>
            {sent !== null && <progress max={100} value={sent} aria-label={t('console.import.uploading')} />}
            <FormError error={upload.error} />
            <div className="row">
                <button type="submit" className="primary" disabled={!file || upload.busy}>
                    {t('console.import.start')}
                </button>
            </div>
        </form>
    );
}
