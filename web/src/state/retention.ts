// When messages in a channel expire: the most specific retention policy (the channel's, then its team's,
// then the global one). The client reads Mattermost's routes once a minute at most.
import {useEffect, useState, useSyncExternalStore} from 'react';
import {client} from '../api/client';
import type {Channel} from '../api/types';

const DAY_MS = 86_400_000;
const FRESH_MS = 60_000;

interface Policies {
    channels: Record<string, number>;
    teams: Record<string, number>;
    globalDays: number;
}

/** The first policy that says something (a duration; 0 is "none here"), in days; 0 means keep forever. */
export function effectiveDays(...durations: (number | undefined)[]): number {
    const first = durations.find((d) => d !== undefined && d !== 0);
    return first === undefined || first < 0 ? 0 : first;
}

let cached: {at: number; policies: Promise<Policies>} | null = null;

async function fetchPolicies(): Promise<Policies> {
    const [global, teams, channels] = await Promise.all([
        client.request<{message_deletion_enabled: boolean; message_retention_cutoff: number}>('GET', '/data_retention/policy'),
        client.request<{policies: {team_id: string; post_duration: number}[]}>('GET', '/users/me/data_retention/team_policies'),
        client.request<{policies: {channel_id: string; post_duration: number}[]}>('GET', '/users/me/data_retention/channel_policies'),
    ]);
    return {
        globalDays: global.message_deletion_enabled ? Math.round((Date.now() - global.message_retention_cutoff) / DAY_MS) : 0,
        teams: Object.fromEntries(teams.policies.map((p) => [p.team_id, p.post_duration])),
        channels: Object.fromEntries(channels.policies.map((p) => [p.channel_id, p.post_duration])),
    };
}

let version = 0;
const listeners = new Set<() => void>();

/** Drop what was read (the console changed a policy): the channel header reads it again at once. */
export function forgetRetention(): void {
    cached = null;
    version++;
    listeners.forEach((l) => l());
}

function policies(): Promise<Policies> {
    if (!cached || Date.now() - cached.at > FRESH_MS) {
        const fetched = fetchPolicies();
        cached = {at: Date.now(), policies: fetched};
        fetched.catch(() => (cached = null));
    }
    return cached.policies;
}

/** The days after which this channel's messages are deleted; 0 when they are kept. */
export function useRetentionDays(channel: Channel): number {
    const [days, setDays] = useState(0);
    const changed = useSyncExternalStore(
        (l) => (listeners.add(l), () => listeners.delete(l)),
        () => version,
    );
    useEffect(() => {
        let live = true;
        policies().then(
            (p) => live && setDays(effectiveDays(p.channels[channel.id], channel.team_id ? p.teams[channel.team_id] : undefined, p.globalDays)),
            () => live && setDays(0),
        );
        return () => {
            live = false;
        };
    }, [channel.id, channel.team_id, changed]);
    return days;
}
