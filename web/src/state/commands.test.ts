import {describe, expect, it} from 'vitest';
import {isCommand, matchCommands, typedTrigger} from './commands';

const command = (trigger: string) => ({trigger, auto_complete_desc: '', auto_complete_hint: ''});

describe('slash commands', () => {
    it('finds the trigger being typed only in the first word', () => {
        expect(typedTrigger('/')).toBe('');
        expect(typedTrigger('/Jo')).toBe('jo');
        expect(typedTrigger('/join ~x')).toBeNull();
        expect(typedTrigger('hello /join')).toBeNull();
    });

    it('runs messages that start with a slash, not those with a space first', () => {
        expect(isCommand('/me waves')).toBe(true);
        expect(isCommand(' /me waves')).toBe(false);
        expect(isCommand('/ alone')).toBe(false);
    });

    it('lists matching commands once, sorted', () => {
        const list = [command('msg'), command('me'), command('mute'), command('join'), command('me')];
        expect(matchCommands(list, 'm').map((c) => c.trigger)).toEqual(['me', 'msg', 'mute']);
        expect(matchCommands(list, 'x')).toEqual([]);
    });
});
