import {type FormEvent, useEffect, useMemo, useRef, useState} from 'react';
import {customEmojiUrl, nameProblem, searchCustom} from '../emoji/custom';
import {emojiChar} from '../emoji/names';
import {useT} from '../i18n/useT';
import {ensureUsers} from '../state/actions';
import {createCustomEmoji, deleteCustomEmoji} from '../state/emojiActions';
import {getState, useStore} from '../state/store';
import {useErrorText} from './forms';
import {Dialog} from './common';
import {FormStatus} from './FormStatus';
import {askConfirm} from './ConfirmDialog';

/** Add a custom emoji (a name and an image) and delete your own (an admin may delete any). */
export function CustomEmojiManager({onClose}: {onClose: () => void}) {
    const t = useT();
    const errorText = useErrorText();
    const me = useStore((s) => s.me!);
    const all = useStore((s) => s.customEmoji);
    const users = useStore((s) => s.users);
    const list = useMemo(() => searchCustom(all, '', 10_000), [all]);
    const [name, setName] = useState('');
    const [image, setImage] = useState<File | null>(null);
    const [error, setError] = useState('');
    const [status, setStatus] = useState('');
    const [busy, setBusy] = useState(false);
    const nameInput = useRef<HTMLInputElement>(null);
    const preview = useMemo(() => (image ? URL.createObjectURL(image) : ''), [image]);
    useEffect(() => () => (preview ? URL.revokeObjectURL(preview) : undefined), [preview]);
    useEffect(() => ensureUsers(list.map((e) => e.creator_id)), [list]);
    const isAdmin = me.roles.split(' ').includes('system_admin');

    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setError('');
        setStatus('');
        const problem = nameProblem(name, (n) => !!emojiChar(n) || !!getState().customEmoji[n]);
        if (problem) return setError(t(problem));
        if (!image) return setError(t('customEmoji.noImage'));
        if (busy) return;
        setBusy(true);
        try {
            await createCustomEmoji(name, image);
            setStatus(t('customEmoji.added', {name}));
            setName('');
            setImage(null);
            (e.target as HTMLFormElement).reset();
            nameInput.current?.focus(); // ready for the next one
        } catch (err) {
            setError(errorText(err));
        } finally {
            setBusy(false);
        }
    };

    return (
        <Dialog title={t('customEmoji.title')} onClose={onClose}>
            <form className="form" onSubmit={submit}>
                <label>
                    {t('customEmoji.name')}
                    <input ref={nameInput} value={name} onChange={(e) => setName(e.target.value.toLowerCase().replace(/^:|:$/g, ''))} maxLength={64} required autoComplete="off" />
                </label>
                <label>
                    {t('customEmoji.image')}
                    <input type="file" accept="image/png,image/jpeg,image/gif" onChange={(e) => setImage(e.target.files?.[0] ?? null)} />
                </label>
                {preview && <img className="emoji-upload-preview" src={preview} alt="" />}
                <FormStatus error={error} status={status} />
                <div className="row">
                    <button type="submit" className="primary" aria-busy={busy}>
                        {t('customEmoji.add')}
                    </button>
                </div>
            </form>
            {list.length === 0 ? (
                <p className="muted">{t('customEmoji.none')}</p>
            ) : (
                <ul className="custom-emoji-list" aria-label={t('customEmoji.title')}>
                    {list.map((e) => (
                        <li key={e.id}>
                            <img className="custom-emoji" src={customEmojiUrl(e.id)} alt="" width={28} height={28} loading="lazy" />
                            <span className="custom-emoji-name">
                                :{e.name}: <span className="muted">{t('customEmoji.by', {name: users[e.creator_id]?.username ?? '…'})}</span>
                            </span>
                            {(e.creator_id === me.id || isAdmin) && (
                                <button
                                    type="button"
                                    className="link-button danger"
                                    aria-label={t('customEmoji.delete', {name: e.name})}
                                    onClick={async () => {
                                        if (await askConfirm({message: t('customEmoji.deleteConfirm', {name: e.name}), confirm: t('post.delete'), destructive: true}))
                                            deleteCustomEmoji(e).catch((err) => setError(errorText(err)));
                                    }}
                                >
                                    {t('post.delete')}
                                </button>
                            )}
                        </li>
                    ))}
                </ul>
            )}
        </Dialog>
    );
}
