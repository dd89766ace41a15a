import {useEffect, useState} from 'react';
import {client} from '../api/client';
import {useT} from '../i18n/useT';

/** The code-of-conduct line on the sign-up page (when the server names one). */
export function CodeOfConductNote() {
    const t = useT();
    const [url, setUrl] = useState('');
    useEffect(() => {
        client.clientConfig().then((c) => setUrl(String(c.KafanaCodeOfConductLink ?? '')), () => undefined);
    }, []);
    if (!/^https?:\/\//.test(url)) return null;
    return (
        <p>
            {t('mod.codeOfConduct')}{' '}
            <a href={url} target="_blank" rel="noreferrer">
                {t('mod.codeOfConductLink')}
            </a>
        </p>
    );
}
