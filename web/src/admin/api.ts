// The system console's routes: Mattermost's /jobs, /data_retention, /analytics/old, /logs, /channels/search
// and /channels/{id}/move (docs/admin-console.md lists them).
import {client} from '../api/client';
import type {Channel, Team} from '../api/types';

export type JobStatus = 'pending' | 'in_progress' | 'success' | 'error' | 'cancel_requested' | 'canceled';
export interface Job {
    id: string;
    type: string;
    status: JobStatus;
    create_at: number;
    start_at: number;
    last_activity_at: number;
    progress: number;
    data: Record<string, string>;
}
export const JOB_TYPES = ['data_retention', 'import_process'] as const;
/** The types an admin can start with "Run now" (an import starts from an uploaded file). */
export const RUNNABLE = new Set<string>(['data_retention']);

export interface RetentionPolicy {
    id: string;
    display_name: string;
    post_duration: number;
    file_duration: number;
    team_count: number;
    channel_count: number;
}
export type PolicyDraft = Pick<RetentionPolicy, 'display_name' | 'post_duration'>;
export type ChannelWithTeam = Channel & {team_name: string; team_display_name: string};
export interface AnalyticsRow {
    name: string;
    value: number;
}
export interface LogLine {
    timestamp: string;
    level: string;
    msg: string;
    caller: string;
}

const r = client.request.bind(client);

export const adminApi = {
    jobs: (type: string) => r<Job[]>('GET', `/jobs/type/${type}?per_page=20`),
    createJob: (type: string) => r<Job>('POST', '/jobs', {type}),
    cancelJob: (id: string) => r<unknown>('POST', `/jobs/${id}/cancel`),

    policies: () => r<RetentionPolicy[]>('GET', '/data_retention/policies?per_page=200'),
    createPolicy: (draft: PolicyDraft, teamIds: string[], channelIds: string[]) =>
        r<RetentionPolicy>('POST', '/data_retention/policies', {...draft, team_ids: teamIds, channel_ids: channelIds}),
    patchPolicy: (id: string, draft: PolicyDraft) => r<RetentionPolicy>('PATCH', `/data_retention/policies/${id}`, draft),
    deletePolicy: (id: string) => r<unknown>('DELETE', `/data_retention/policies/${id}`),
    policyTeams: (id: string) => r<Team[]>('GET', `/data_retention/policies/${id}/teams?per_page=200`),
    policyChannels: (id: string) => r<ChannelWithTeam[]>('GET', `/data_retention/policies/${id}/channels?per_page=200`),
    assign: (id: string, target: 'teams' | 'channels', ids: string[], add: boolean) =>
        ids.length ? r<unknown>(add ? 'POST' : 'DELETE', `/data_retention/policies/${id}/${target}`, ids) : Promise.resolve(null),

    analytics: (name: string) => r<AnalyticsRow[]>('GET', `/analytics/old?name=${name}`),
    logs: (level: string) => r<string[]>('GET', `/logs?logs_per_page=500&level=${level}`).then((lines) => lines.map((l) => JSON.parse(l) as LogLine)),

    searchChannels: (term: string, archived: boolean) => r<ChannelWithTeam[]>('POST', '/channels/search', {term, deleted: archived, per_page: 100}),
    archiveChannel: (id: string) => r<unknown>('DELETE', `/channels/${id}`),
    restoreChannel: (id: string) => r<Channel>('POST', `/channels/${id}/restore`),
    setPrivacy: (id: string, privacy: 'O' | 'P') => r<Channel>('PUT', `/channels/${id}/privacy`, {privacy}),
    moveChannel: (id: string, teamId: string, force: boolean) => r<Channel>('POST', `/channels/${id}/move`, {team_id: teamId, force}),
    /** A Mattermost bulk export, imported by a job on the server that receives it (POST /kafana/imports). */
    uploadImport: (file: File, onProgress: (loaded: number, total: number) => void) => {
        const form = new FormData();
        form.append('file', file, file.name);
        return client.send<Job>('/kafana/imports', form, onProgress);
    },
    teams: () => r<Team[]>('GET', '/teams?per_page=200&include_deleted=true'),
    archiveTeam: (id: string) => r<unknown>('DELETE', `/teams/${id}`),
    restoreTeam: (id: string) => r<Team>('POST', `/teams/${id}/restore`),
};
