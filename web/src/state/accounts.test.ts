import {describe, expect, it} from 'vitest';
import type {Audit, LiveSetting, Session} from '../api/types';
import {auditTarget, auditUserIds, filterAudits, inviteLink, inviteParams, sessionDevice, settingChoices, settingValue, sortSessions} from './accounts';

const session = (id: string, last: number, props: Record<string, string> = {}): Session => ({
    id,
    create_at: 1,
    expires_at: 0,
    last_activity_at: last,
    user_id: 'u',
    device_id: '',
    props,
});

const audit = (action: string, user_id: string, extra: Record<string, string> = {}): Audit => ({
    id: action,
    create_at: 1,
    user_id,
    action,
    extra_info: Object.keys(extra).length ? JSON.stringify(extra) : '',
    ip_address: '',
    session_id: '',
});

describe('sign-up links', () => {
    it('reads a team invite id or an email token, the token first', () => {
        expect(inviteParams('?id=abc')).toEqual({iid: 'abc'});
        expect(inviteParams('?t=tok&id=abc')).toEqual({t: 'tok'});
        expect(inviteParams('')).toEqual({});
    });
    it("builds Mattermost's invite URL", () => {
        expect(inviteLink('https://chat.example.org', 'a b')).toBe('https://chat.example.org/signup_user_complete/?id=a%20b');
    });
});

describe('sessions', () => {
    it('names the browser with its major version and the system', () => {
        expect(sessionDevice(session('a', 1, {browser: 'Firefox/128.0', os: 'Linux'}))).toEqual({browser: 'Firefox 128', os: 'Linux'});
        expect(sessionDevice(session('a', 1))).toBeNull();
    });
    it('puts the current session first, then the most recently active', () => {
        const sorted = sortSessions([session('old', 1), session('me', 2, {kafana_current: 'true'}), session('new', 3)]);
        expect(sorted.map((s) => s.id)).toEqual(['me', 'new', 'old']);
    });
});

describe('live settings', () => {
    const settings: LiveSetting[] = [{name: 'signup_mode', type: 'choice', choices: ['open', 'invite', 'closed'], value: 'invite', default: 'open', overridden: true}];
    it('reads a value and its choices by name', () => {
        expect(settingValue(settings, 'signup_mode')).toBe('invite');
        expect(settingChoices(settings, 'signup_mode')).toEqual(['open', 'invite', 'closed']);
        expect(settingValue(settings, 'nope')).toBeUndefined();
        expect(settingChoices(settings, 'nope')).toEqual([]);
    });
});

describe('audit log', () => {
    const entries = [audit('login', 'u1'), audit('update_roles', 'u2', {target_id: 'u3', roles: 'system_admin'}), audit('mfa_activate', 'u3')];
    it('filters by action, username or details', () => {
        expect(filterAudits(entries, 'LOGIN', {}).map((a) => a.action)).toEqual(['login']);
        expect(filterAudits(entries, 'carol', {u3: 'carol'}).map((a) => a.action)).toEqual(['mfa_activate']);
        expect(filterAudits(entries, 'system_admin', {}).map((a) => a.action)).toEqual(['update_roles']);
        expect(filterAudits(entries, ' ', {})).toHaveLength(3);
    });
    it('names actors and targets', () => {
        expect(auditTarget(entries[1])).toBe('u3');
        expect(auditTarget({...entries[0], extra_info: '{bad'})).toBe('');
        expect(auditUserIds(entries).sort()).toEqual(['u1', 'u2', 'u3']);
    });
});
