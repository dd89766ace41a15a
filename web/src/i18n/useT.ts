import {useIntl} from 'react-intl';

/** `t('key', values)`: every visible string goes through the locale's messages. */
export function useT() {
    const intl = useIntl();
    return (id: string, values?: Record<string, string | number | Date>) => intl.formatMessage({id}, values);
}
