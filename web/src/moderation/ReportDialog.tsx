import {type FormEvent, useState} from 'react';
import {useT} from '../i18n/useT';
import {FormButtons, useErrorText} from '../components/forms';
import {Dialog} from '../components/common';
import {reportPost} from './api';

/** "Report message": the reporter reads what is shared, agrees, and gives a reason. */
export function ReportDialog({postId, onClose}: {postId: string; onClose: () => void}) {
    const t = useT();
    const errorText = useErrorText();
    const [reason, setReason] = useState('');
    const [consent, setConsent] = useState(false);
    const [error, setError] = useState('');
    const [sent, setSent] = useState(false);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setError('');
        try {
            await reportPost(postId, reason.trim());
            setSent(true);
        } catch (err) {
            setError(errorText(err));
        }
    };
    return (
        <Dialog title={t('mod.reportTitle')} onClose={onClose}>
            {sent ? (
                <>
                    <p role="status">{t('mod.sent')}</p>
                    <div className="row">
                        <button type="button" className="primary" onClick={onClose}>
                            {t('common.close')}
                        </button>
                    </div>
                </>
            ) : (
                <form className="form" onSubmit={submit}>
                    <p id="report-consent-text">{t('mod.consent')}</p>
                    <label>
                        {t('mod.reason')}
                        <textarea value={reason} maxLength={1000} required onChange={(e) => setReason(e.target.value)} />
                    </label>
                    <label className="check">
                        <input type="checkbox" checked={consent} aria-describedby="report-consent-text" onChange={(e) => setConsent(e.target.checked)} />
                        {t('mod.consentCheck')}
                    </label>
                    {error && (
                        <p className="form-error" role="alert">
                            {error}
                        </p>
                    )}
                    <FormButtons submit={t('mod.submit')} disabled={!consent || !reason.trim()} onCancel={onClose} />
                </form>
            )}
        </Dialog>
    );
}
