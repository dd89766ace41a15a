import {useEffect, useMemo, useState} from 'react';
import {useT} from '../i18n/useT';
import {Field, FormError, useAction} from '../components/forms';
import {adminApi, type LogLine} from './api';

const LEVELS = ['debug', 'info', 'warning', 'error'];

/** This node's recent log lines (GET /logs), newest first, by lowest level and a text filter. */
export function LogsPage() {
    const t = useT();
    const [level, setLevel] = useState('info');
    const [filter, setFilter] = useState('');
    const [lines, setLines] = useState<LogLine[]>([]);
    const load = useAction(async () => setLines(await adminApi.logs(level)));
    useEffect(() => void load.run(), [level]);
    const shown = useMemo(() => {
        const f = filter.trim().toLowerCase();
        return f ? lines.filter((l) => (l.msg + ' ' + l.caller).toLowerCase().includes(f)) : lines;
    }, [lines, filter]);
    return (
        <div className="form">
            <p className="muted">{t('console.logs.hint')}</p>
            <div className="row wrap">
                <Field label={t('console.logs.level')}>
                    <select value={level} onChange={(e) => setLevel(e.target.value)}>
                        {LEVELS.map((l) => (
                            <option key={l} value={l}>
                                {t('console.logLevel.' + l)}
                            </option>
                        ))}
                    </select>
                </Field>
                <Field label={t('console.logs.filter')}>
                    <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
                </Field>
                <button type="button" onClick={() => load.run()} disabled={load.busy}>
                    {t('console.logs.refresh')}
                </button>
            </div>
            <FormError error={load.error} />
            {shown.length === 0 ? (
                <p className="muted">{t('console.logs.none')}</p>
            ) : (
                <ol className="console-logs" aria-label={t('console.tab.logs')}>
                    {shown.map((l, i) => (
                        <li key={i} className={'log-' + l.level}>
                            <time dateTime={l.timestamp}>{l.timestamp.replace('T', ' ').slice(0, 23)}</time> <strong>{l.level.toUpperCase()}</strong>{' '}
                            <span className="muted">{l.caller}</span> {l.msg}
                        </li>
                    ))}
                </ol>
            )}
        </div>
    );
}
