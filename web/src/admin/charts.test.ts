import {describe, expect, it} from 'vitest';
import {bars, fillDays} from './charts';

const NOW = Date.UTC(2026, 10, 30, 15, 0); // 2026-11-30 15:00 UTC

describe('fillDays', () => {
    it('gives every day of the run, with 0 where the server had no row', () => {
        const days = fillDays([{name: '2026-11-29', value: 4}], NOW, 3);
        expect(days).toEqual([
            {name: '2026-11-28', value: 0},
            {name: '2026-11-29', value: 4},
            {name: '2026-11-30', value: 0},
        ]);
    });
});

describe('bars', () => {
    it('scales to the tallest and keeps zero at the bottom', () => {
        const [a, b] = bars(
            [
                {name: 'a', value: 5},
                {name: 'b', value: 10},
            ],
            100,
            50,
        );
        expect(b.height).toBe(50);
        expect(b.y).toBe(0);
        expect(a.height).toBe(25);
        expect(a.y).toBe(25);
        expect(a.x).toBeLessThan(b.x);
    });
    it('draws nothing tall for all-zero days', () => {
        expect(bars([{name: 'a', value: 0}], 10, 10)[0].height).toBe(0);
    });
});
