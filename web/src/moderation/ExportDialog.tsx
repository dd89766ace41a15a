import {useState} from 'react';
import {useT} from '../i18n/useT';
import {Dialog} from '../components/common';
import {type ExportFormat, exportUrl, FORMATS} from './api';

/** "Export thread" / "Export channel": a format (and, for a channel, a date range), then the download. */
export function ExportDialog({target, onClose}: {target: {channelId: string} | {postId: string}; onClose: () => void}) {
    const t = useT();
    const [format, setFormat] = useState<ExportFormat>('md');
    const [from, setFrom] = useState('');
    const [to, setTo] = useState('');
    const channel = 'channelId' in target;
    // Dates are whole days in UTC, as the export's headings are; "to" includes its day.
    const since = from ? Date.parse(from + 'T00:00:00Z') : 0;
    const until = to ? Date.parse(to + 'T00:00:00Z') + 86_400_000 : 0;
    const href = exportUrl(target, format, since, until);
    return (
        <Dialog title={t(channel ? 'export.channel' : 'export.thread')} onClose={onClose}>
            <div className="form">
                <fieldset>
                    <legend>{t('export.format')}</legend>
                    {FORMATS.map((f) => (
                        <label key={f} className="check">
                            <input type="radio" name="export-format" value={f} checked={format === f} onChange={() => setFormat(f)} />
                            {t('export.' + f)}
                        </label>
                    ))}
                </fieldset>
                {channel && (
                    <div className="row">
                        <label>
                            {t('export.from')}
                            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
                        </label>
                        <label>
                            {t('export.to')}
                            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
                        </label>
                    </div>
                )}
                <div className="row">
                    <a className="button primary" href={href} download onClick={() => setTimeout(onClose, 0)}>
                        {t('export.download')}
                    </a>
                    <button type="button" onClick={onClose}>
                        {t('common.cancel')}
                    </button>
                </div>
            </div>
        </Dialog>
    );
}
