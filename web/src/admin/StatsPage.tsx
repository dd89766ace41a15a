import {useEffect, useId, useState} from 'react';
import {useIntl} from 'react-intl';
import {useT} from '../i18n/useT';
import {FormError, useAction} from '../components/forms';
import {adminApi, type AnalyticsRow} from './api';
import {bars, fillDays} from './charts';

const W = 600;
const H = 160;

/** Server totals and two 30-day charts (posts, and people who posted, per day) from /analytics/old. */
export function StatsPage() {
    const t = useT();
    const intl = useIntl();
    const [totals, setTotals] = useState<Record<string, number> | null>(null);
    const [posts, setPosts] = useState<AnalyticsRow[]>([]);
    const [posters, setPosters] = useState<AnalyticsRow[]>([]);
    const load = useAction(async () => {
        const [standard, perDay, usersPerDay] = await Promise.all([
            adminApi.analytics('standard'),
            adminApi.analytics('post_counts_day'),
            adminApi.analytics('user_counts_with_posts_day'),
        ]);
        setTotals(Object.fromEntries(standard.map((row) => [row.name, row.value])));
        setPosts(fillDays(perDay, Date.now()));
        setPosters(fillDays(usersPerDay, Date.now()));
    });
    useEffect(() => void load.run(), []);
    if (!totals) return <FormError error={load.error} />;
    const n = (v: number | undefined) => intl.formatNumber(v ?? 0);
    const cards: [string, number | undefined][] = [
        ['users', totals.unique_user_count],
        ['dailyActive', totals.daily_active_users],
        ['monthlyActive', totals.monthly_active_users],
        ['posts', totals.post_count],
        ['channels', (totals.channel_open_count ?? 0) + (totals.channel_private_count ?? 0)],
        ['teams', totals.team_count],
    ];
    return (
        <div className="form">
            <dl className="console-totals">
                {cards.map(([key, value]) => (
                    <div key={key}>
                        <dt>{t('console.stats.' + key)}</dt>
                        <dd>{n(value)}</dd>
                    </div>
                ))}
            </dl>
            <BarChart title={t('console.stats.postsPerDay')} rows={posts} />
            <BarChart title={t('console.stats.postersPerDay')} rows={posters} />
            <FormError error={load.error} />
        </div>
    );
}

/** An SVG bar chart with its numbers in a table for screen readers (and a tooltip per bar). */
function BarChart({title, rows}: {title: string; rows: AnalyticsRow[]}) {
    const t = useT();
    const intl = useIntl();
    const id = useId();
    const total = rows.reduce((sum, row) => sum + row.value, 0);
    const day = (name: string) => intl.formatDate(name + 'T00:00:00Z', {month: 'short', day: 'numeric', timeZone: 'UTC'});
    return (
        <figure className="console-chart" aria-labelledby={id}>
            <figcaption id={id}>
                {title} <span className="muted">{t('console.stats.total30', {count: total})}</span>
            </figcaption>
            <svg viewBox={`0 0 ${W} ${H + 18}`} role="img" aria-label={t('console.stats.chartLabel', {title, count: total})} preserveAspectRatio="none">
                <line x1={0} y1={H} x2={W} y2={H} className="axis" />
                {bars(rows, W, H).map((bar) => (
                    <rect key={bar.row.name} x={bar.x} y={bar.y} width={bar.width} height={bar.height} className="bar">
                        <title>{`${day(bar.row.name)}: ${intl.formatNumber(bar.row.value)}`}</title>
                    </rect>
                ))}
                {rows.length > 0 && (
                    <>
                        <text x={0} y={H + 14} className="tick">
                            {day(rows[0].name)}
                        </text>
                        <text x={W} y={H + 14} className="tick" textAnchor="end">
                            {day(rows[rows.length - 1].name)}
                        </text>
                    </>
                )}
            </svg>
            <table className="visually-hidden">
                <caption>{title}</caption>
                <tbody>
                    {rows.map((row) => (
                        <tr key={row.name}>
                            <th scope="row">{day(row.name)}</th>
                            <td>{intl.formatNumber(row.value)}</td>
                        </tr>
                    ))}
                </tbody>
            </table>
        </figure>
    );
}
