// Plain-SVG charts for the statistics page: the server's per-day rows filled out to a fixed run of days.
import type {AnalyticsRow} from './api';

const DAY_MS = 86_400_000;

/** The last `days` UTC dates (YYYY-MM-DD) up to `now`, each with its row's value or 0. */
export function fillDays(rows: AnalyticsRow[], now: number, days = 30): AnalyticsRow[] {
    const byDate = new Map(rows.map((row) => [row.name, row.value]));
    const today = Math.floor(now / DAY_MS);
    return Array.from({length: days}, (_, i) => {
        const name = new Date((today - days + 1 + i) * DAY_MS).toISOString().slice(0, 10);
        return {name, value: byDate.get(name) ?? 0};
    });
}

export interface Bar {
    x: number;
    y: number;
    width: number;
    height: number;
    row: AnalyticsRow;
}

/** Bars for a chart `width` × `height` (value 0 at the bottom); the tallest bar fills the height. */
export function bars(rows: AnalyticsRow[], width: number, height: number, gap = 2): Bar[] {
    const top = Math.max(1, ...rows.map((row) => row.value));
    const step = rows.length ? width / rows.length : 0;
    return rows.map((row, i) => {
        const h = (row.value / top) * height;
        return {x: i * step + gap / 2, y: height - h, width: Math.max(1, step - gap), height: h, row};
    });
}
