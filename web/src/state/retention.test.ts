import {describe, expect, it} from 'vitest';
import {effectiveDays} from './retention';

describe('effectiveDays', () => {
    it('takes the most specific policy: channel, then team, then global', () => {
        expect(effectiveDays(30, 60, 90)).toBe(30);
        expect(effectiveDays(undefined, 60, 90)).toBe(60);
        expect(effectiveDays(undefined, undefined, 90)).toBe(90);
        expect(effectiveDays(undefined, undefined, 0)).toBe(0);
    });
    it('lets an override keep messages forever (-1) where the global policy deletes them', () => {
        expect(effectiveDays(-1, undefined, 90)).toBe(0);
        expect(effectiveDays(undefined, -1, 90)).toBe(0);
    });
});
