import {describe, expect, it} from 'vitest';
import type {Bridge} from './api';
import {allowedSections, bridgeConfig, bridgeTarget, hookUrl, outgoingDraft, outgoingForm, splitLines, splitWords} from './state';

const ALL_ON = {EnableIncomingWebhooks: 'true', EnableOutgoingWebhooks: 'true', EnableCommands: 'true', KafanaBotCreation: 'members'};

describe('allowedSections', () => {
    it('gives team and system admins webhooks and commands, members only bots', () => {
        expect(allowedSections('system_user', 'team_user team_admin', ALL_ON)).toEqual(['incoming', 'outgoing', 'commands', 'bots']);
        expect(allowedSections('system_user system_admin', '', ALL_ON)).toEqual(['incoming', 'outgoing', 'commands', 'bots']);
        expect(allowedSections('system_user', 'team_user', ALL_ON)).toEqual(['bots']);
    });
    it('leaves out kinds switched off, and bots for guests', () => {
        const off = {...ALL_ON, EnableOutgoingWebhooks: 'false', KafanaBotCreation: 'admins'};
        expect(allowedSections('system_user', 'team_admin', off)).toEqual(['incoming', 'commands']);
        expect(allowedSections('system_admin', '', off)).toEqual(['incoming', 'commands', 'bots']);
        expect(allowedSections('system_admin', '', {...off, KafanaBotCreation: 'off'})).toEqual(['incoming', 'commands']);
        expect(allowedSections('system_guest', 'team_guest', ALL_ON)).toEqual([]);
    });
});

describe('typed lists', () => {
    it('splits trigger words on commas, spaces and lines, once each', () => {
        expect(splitWords(' deploy, build\nship  deploy ')).toEqual(['deploy', 'build', 'ship']);
        expect(splitWords('  ')).toEqual([]);
    });
    it('takes one callback URL a line', () => {
        expect(splitLines('https://a.example/x\n\n  https://b.example/y  \nhttps://a.example/x')).toEqual(['https://a.example/x', 'https://b.example/y']);
    });
    it('builds the hook address outside /api/v4', () => {
        expect(hookUrl('https://chat.example', 'abc')).toBe('https://chat.example/hooks/abc');
    });
});

describe('outgoing webhook form', () => {
    const hook = {display_name: 'CI', description: '', channel_id: 'c1', trigger_words: ['deploy', 'ship'], trigger_when: 1, callback_urls: ['https://a.example/x', 'https://b.example/y'], content_type: 'application/json'};
    it('starts empty, posting a form, when adding', () => {
        expect(outgoingForm()).toEqual({display_name: '', description: '', channel_id: '', words: '', trigger_when: 0, urls: '', content_type: 'application/x-www-form-urlencoded'});
    });
    it('shows a hook’s lists as text and sends back what was edited', () => {
        const form = outgoingForm(hook);
        expect([form.words, form.urls]).toEqual(['deploy, ship', 'https://a.example/x\nhttps://b.example/y']);
        expect(outgoingDraft(form)).toEqual(hook);
        expect(outgoingDraft({...form, words: 'deploy release'}).trigger_words).toEqual(['deploy', 'release']);
    });
});

describe('bridgeConfig', () => {
    it('sends only the chosen kind’s fields, trimmed, optional ones when given', () => {
        const form = {server: ' irc.libera.chat:6697 ', tls: true, nick: 'kafana', channel: '#wikimedia', sasl_user: '', token: 'left-from-telegram'};
        expect(bridgeConfig('irc', form)).toEqual({config: {server: 'irc.libera.chat:6697', tls: true, nick: 'kafana', channel: '#wikimedia'}, missing: ''});
    });
    it('names the first missing required field', () => {
        expect(bridgeConfig('telegram', {chat_id: '-100'}).missing).toBe('token');
        expect(bridgeConfig('discord', {token: 'x'}).missing).toBe('channel_id');
        expect(bridgeConfig('irc', {}).config.tls).toBe(false);
    });
});

describe('bridgeTarget', () => {
    const bridge = (kind: Bridge['kind'], config: Record<string, unknown>): Bridge => ({id: 'b', kind, channel_id: 'c', bot_user_id: 'u', config, enabled: true, create_at: 0});
    it('says where each kind relays, never a secret', () => {
        expect(bridgeTarget(bridge('irc', {server: 'irc.libera.chat', port: 6697, tls: true, channel: '#wm', sasl_password: true}))).toBe('#wm @ irc.libera.chat:6697 (TLS)');
        expect(bridgeTarget(bridge('telegram', {token: true, chat_id: '-1001', api_url: ''}))).toBe('-1001');
        expect(bridgeTarget(bridge('discord', {token: true, channel_id: '123456789012345678', api_url: 'http://127.0.0.1:9'}))).toBe('123456789012345678 @ http://127.0.0.1:9');
    });
});
