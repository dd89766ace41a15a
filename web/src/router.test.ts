import {describe, expect, it} from 'vitest';
import {ACCOUNT_EMAIL_ROUTES, parseRoute} from './router';

describe('routes', () => {
    it("reads Mattermost's paths, including those the server's emails link to", () => {
        expect(parseRoute('/core/channels/town-square')).toEqual({kind: 'channel', team: 'core', channel: 'town-square'});
        expect(parseRoute('/core/pl/abc')).toEqual({kind: 'permalink', team: 'core', postId: 'abc'});
        expect(parseRoute('/core/integrations')).toEqual({kind: 'integrations', team: 'core'});
        expect(parseRoute('/reset_password')).toEqual({kind: 'resetRequest'});
        expect(parseRoute('/reset_password_complete')).toEqual({kind: 'resetComplete'});
        expect(parseRoute('/do_verify_email')).toEqual({kind: 'verifyEmail'});
        expect(['resetRequest', 'resetComplete', 'verifyEmail'].every((k) => ACCOUNT_EMAIL_ROUTES.has(k as never))).toBe(true);
        expect(ACCOUNT_EMAIL_ROUTES.has('channel')).toBe(false);
    });
});
