import {type FormEvent, type ReactNode, useState} from 'react';
import {useT} from '../i18n/useT';
import {useIntl} from 'react-intl';
import {ApiError} from '../api/client';

/** Server errors in words: known ids get a translated sentence, others the server's own message. */
export function useErrorText() {
    const intl = useIntl();
    return (err: unknown): string => {
        if (err instanceof ApiError) {
            const key = 'error.' + err.id;
            if (intl.messages[key]) return intl.formatMessage({id: key});
            return err.message;
        }
        return intl.formatMessage({id: 'error.network'});
    };
}

/** A labelled form row: the label text above its control, or beside it for a checkbox (`check`). */
export function Field({label, check, children}: {label: ReactNode; check?: boolean; children: ReactNode}) {
    return check ? (
        <label className="check">
            {children}
            {label}
        </label>
    ) : (
        <label>
            {label}
            {children}
        </label>
    );
}

/** A dialog form's buttons: submit with its label, and Cancel. */
export function FormButtons({submit, disabled, onCancel}: {submit: string; disabled?: boolean; onCancel: () => void}) {
    const t = useT();
    return (
        <div className="row">
            <button type="submit" className="primary" disabled={disabled}>
                {submit}
            </button>
            <button type="button" onClick={onCancel}>
                {t('common.cancel')}
            </button>
        </div>
    );
}

/** The form's error, announced when it appears. */
export function FormError({error}: {error: string}) {
    if (!error) return null;
    return (
        <p className="form-error" role="alert">
            {error}
        </p>
    );
}

/** An action started from the page: marks it busy, and turns a failure into the error to show. */
export function useAction<A extends unknown[]>(work: (...args: A) => Promise<void>) {
    const errorText = useErrorText();
    const [busy, setBusy] = useState(false);
    const [error, setError] = useState('');
    const run = async (...args: A) => {
        setBusy(true);
        setError('');
        try {
            await work(...args);
        } catch (err) {
            setError(errorText(err));
        } finally {
            setBusy(false);
        }
    };
    return {busy, error, setError, run};
}

/** A form's submit: the same, without the browser's page load. */
export function useSubmit(work: () => Promise<void>) {
    const action = useAction(work);
    const submit = (e?: FormEvent) => {
        e?.preventDefault();
        return action.run();
    };
    return {...action, submit};
}

/** A settings form's end: its error, "Saved." once saved, and the submit button (Save unless `label`). */
export function SaveFooter({error, saved, busy, label, className}: {error: string; saved: boolean; busy: boolean; label?: string; className?: string}) {
    const t = useT();
    return (
        <>
            <FormError error={error} />
            {saved && <p role="status">{t('admin.saved')}</p>}
            <div className={className ? 'row ' + className : 'row'}>
                <button type="submit" className="primary" disabled={busy}>
                    {label ?? t('common.save')}
                </button>
            </div>
        </>
    );
}
