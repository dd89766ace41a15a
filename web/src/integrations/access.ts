import {useEffect, useState} from 'react';
import {client} from '../api/client';
import {useStore} from '../state/store';
import {integrationsApi} from './api';
import {allowedSections, type Section} from './state';

/** The integration sections the signed-in user may manage in a team (null while finding out). Small and
 * eager: the sidebar shows the Integrations link only to those who have one; the page itself loads lazily. */
export function useIntegrationSections(teamId: string): Section[] | null {
    const me = useStore((s) => s.me);
    const [sections, setSections] = useState<Section[] | null>(null);
    useEffect(() => {
        if (!teamId || !me) return;
        let live = true;
        Promise.all([client.clientConfig(), integrationsApi.teamRoles(teamId).catch(() => '')]).then(
            ([config, teamRoles]) => live && setSections(allowedSections(me.roles, teamRoles, config)),
            () => live && setSections([]),
        );
        return () => {
            live = false;
        };
    }, [teamId, me?.roles]);
    return sections;
}
