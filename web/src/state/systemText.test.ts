import {describe, expect, it} from 'vitest';
import type {Post} from '../api/types';
import {systemText} from './systemText';

const post = (type: string, props: Record<string, unknown>, message = 'server text'): Post => ({type, props, message}) as unknown as Post;
const t = (id: string, values?: Record<string, string>) => id + (values ? ' ' + JSON.stringify(values) : '');

describe('systemText', () => {
    it('names the people from the props', () => {
        expect(systemText(post('system_join_channel', {username: 'ana'}), t)).toBe('system.joinChannel {"user":"@ana"}');
        expect(systemText(post('system_add_to_channel', {username: 'ana', addedUsername: 'bob'}), t)).toBe(
            'system.addedToChannel {"user":"@bob","by":"@ana"}',
        );
        expect(systemText(post('system_remove_from_team', {username: 'ana', removedUsername: 'bob'}), t)).toBe(
            'system.removedFromTeam {"user":"@bob","by":"@ana"}',
        );
    });

    it('tells a set, a changed and a removed header apart', () => {
        const header = (old: string, now: string) => systemText(post('system_header_change', {username: 'ana', old_header: old, new_header: now}), t);
        expect(header('', '**Friday**')).toBe('system.header.set {"user":"@ana","old":"","new":"**Friday**"}');
        expect(header('a', 'b')).toMatch(/^system\.header\.changed /);
        expect(header('a', '')).toMatch(/^system\.header\.removed /);
        expect(systemText(post('system_purpose_change', {username: 'ana', old_purpose: '', new_purpose: 'p'}), t)).toMatch(/^system\.purpose\.set /);
    });

    it('keeps the server text for what it does not know or cannot fill in', () => {
        expect(systemText(post('system_something_new', {username: 'ana'}), t)).toBe('server text');
        expect(systemText(post('system_join_channel', {}), t)).toBe('server text');
        expect(systemText(post('system_join_channel', {username: 42}), t)).toBe('server text');
    });

    it('reads the privacy change from the message, which is all Mattermost gives', () => {
        expect(systemText(post('system_change_chan_privacy', {}, 'This channel has been converted to a Private Channel.'), t)).toBe('system.madePrivate');
        expect(systemText(post('system_change_chan_privacy', {}, 'This channel has been converted to a Public Channel.'), t)).toBe('system.madePublic');
    });
});
