import {useIntl} from 'react-intl';
import {useT} from '../i18n/useT';
import {useStore} from '../state/store';
import {cancelUpload} from '../state/uploadActions';
import {formatSize, MAX_FILES_PER_POST, percent, type UploadItem} from './uploads';
import './media.css';

/** A draft's files: a progress bar and a cancel button while each uploads, its size when done, why it failed. */
export function UploadList({channelId, rootId, uploads}: {channelId: string; rootId: string; uploads: UploadItem[]}) {
    const t = useT();
    const intl = useIntl();
    const maxFileSize = useStore((s) => s.maxFileSize);
    if (!uploads.length) return null;
    const reason = (u: UploadItem) =>
        u.error?.startsWith('upload.') ? t(u.error, {name: u.name, max: formatSize(maxFileSize, intl.locale), count: MAX_FILES_PER_POST}) : (u.error ?? '');
    return (
        <ul className="upload-list" aria-label={t('upload.list')}>
            {uploads.map((u) => (
                <li key={u.clientId} className={'upload upload-' + u.status}>
                    <span className="upload-name" title={u.name}>
                        {u.name}
                    </span>
                    <span className="muted upload-size">{formatSize(u.size, intl.locale)}</span>
                    {u.status === 'uploading' && <progress max={100} value={percent(u)} aria-label={t('upload.uploading', {name: u.name})} />}
                    {u.status === 'failed' && (
                        <span className="form-error" role="alert">
                            {reason(u)}
                        </span>
                    )}
                    <button
                        type="button"
                        className="icon-button"
                        aria-label={t(u.status === 'uploading' ? 'upload.cancel' : 'upload.remove', {name: u.name})}
                        title={t(u.status === 'uploading' ? 'upload.cancel' : 'upload.remove', {name: u.name})}
                        onClick={() => cancelUpload(channelId, rootId, u.clientId)}
                    >
                        ×
                    </button>
                </li>
            ))}
        </ul>
    );
}
