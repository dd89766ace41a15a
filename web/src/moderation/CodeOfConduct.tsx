import {useEffect, useState} from 'react';
import {useIntl} from 'react-intl';
import {client} from '../api/client';

/** The code-of-conduct line on the sign-up page (when the server names one). */
export function CodeOfConductNote() {
    const intl = useIntl();
    const [url, setUrl] = useState('');
    useEffect(() => {
        client.clientConfig().then((c) => setUrl(String(c.KafanaCodeOfConductLink ?? '')), () => undefined);
    }, []);
    if (!/^https?:\/\//.test(url)) return null;
    return (
        <p>
            {intl.formatMessage(
                {id: 'mod.codeOfConduct'},
                {
                    link: (chunks) => (
                        <a href={url} target="_blank" rel="noreferrer">
                            {chunks}
                        </a>
                    ),
                },
            )}
        </p>
    );
}
