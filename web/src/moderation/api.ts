// Kafana's reporting, moderation and export routes (docs/api.md, "Reporting and moderation", "Export").
import {client} from '../api/client';
import type {User} from '../api/types';

export type ReportState = 'open' | 'in_review' | 'resolved' | 'dismissed';
export const STATES: ReportState[] = ['open', 'in_review', 'resolved', 'dismissed'];
export type ModAction = 'remove_post' | 'warn' | 'suspend' | 'deactivate' | 'remove_from_channel';
export const ACTIONS: ModAction[] = ['remove_post', 'warn', 'suspend', 'deactivate', 'remove_from_channel'];

export interface Report {
    id: string;
    create_at: number;
    update_at: number;
    reporter_id: string;
    reason: string;
    state: ReportState;
    assignee_id: string;
    post: {id: string; user_id: string; username: string; message: string; create_at: number};
    channel: {id: string; name: string; display_name: string; type: string; team_id: string};
}

export interface TimelineEvent {
    id: string;
    create_at: number;
    user_id: string;
    kind: 'created' | 'state' | 'assigned' | 'note' | 'action';
    value: string;
    text: string;
}

export type ReportDetail = Report & {timeline: TimelineEvent[]};

export const isModerator = (me: User) => me.roles.split(' ').some((r) => r === 'system_admin' || r === 'system_moderator');

export const reportPost = (postId: string, reason: string) => client.request<Report>('POST', '/kafana/reports', {post_id: postId, reason, consent: true});

export function listReports(state: string, mine: boolean): Promise<Report[]> {
    const q = new URLSearchParams({per_page: '200'});
    if (state) q.set('state', state);
    if (mine) q.set('assignee', 'me');
    return client.request<Report[]>('GET', '/kafana/reports?' + q.toString());
}

export const getReport = (id: string) => client.request<ReportDetail>('GET', `/kafana/reports/${id}`);
export const updateReport = (id: string, patch: {state?: ReportState; assignee_id?: string}) => client.request<ReportDetail>('PATCH', `/kafana/reports/${id}`, patch);
export const addNote = (id: string, message: string) => client.request<TimelineEvent>('POST', `/kafana/reports/${id}/notes`, {message});
export const act = (id: string, body: {action: ModAction; reason: string; message?: string; hours?: number}) =>
    client.request<TimelineEvent>('POST', `/kafana/reports/${id}/actions`, body);

export type ExportFormat = 'md' | 'json' | 'wikitext';
export const FORMATS: ExportFormat[] = ['md', 'wikitext', 'json'];

/** The download address: a plain GET, so the browser saves the attachment the server names. */
export function exportUrl(target: {channelId: string} | {postId: string}, format: ExportFormat, since = 0, until = 0): string {
    const q = new URLSearchParams({format});
    if (since) q.set('since', String(since));
    if (until) q.set('until', String(until));
    const path = 'postId' in target ? `/kafana/posts/${target.postId}/thread/export` : `/kafana/channels/${target.channelId}/export`;
    return `/api/v4${path}?${q.toString()}`;
}
