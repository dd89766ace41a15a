import {describe, expect, it} from 'vitest';
import {channelWideMention} from './mentions';

describe('channel-wide mentions', () => {
    it('finds @channel, @all and @here as words, not in code, addresses or longer names', () => {
        expect(channelWideMention('@channel meeting now')).toBe('channel');
        expect(channelWideMention('heads up @ALL.')).toBe('all');
        expect(channelWideMention('(@here) anyone?')).toBe('here');
        expect(channelWideMention('use `@channel` sparingly')).toBeNull();
        expect(channelWideMention('```\n@all\n```')).toBeNull();
        expect(channelWideMention('mail team@channel.org')).toBeNull();
        expect(channelWideMention('@channel-ops and @allison')).toBeNull();
        expect(channelWideMention('no mention')).toBeNull();
    });
});
