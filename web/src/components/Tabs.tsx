import type {KeyboardEvent, ReactNode} from 'react';

interface Props<T extends string> {
    /** Prefix of the tabs' and panel's element ids (`<prefix>-tab-<name>`, `<prefix>-panel`). */
    idPrefix: string;
    label: string;
    tabs: readonly T[];
    current: T;
    onSelect: (tab: T) => void;
    labelOf: (tab: T) => string;
    children: ReactNode;
}

/** A tab list and its panel (WAI-ARIA tabs): the list is one stop for Tab; arrows (mirrored right to left),
 * Home and End move between tabs, selecting as they go. */
export function Tabs<T extends string>({idPrefix, label, tabs, current, onSelect, labelOf, children}: Props<T>) {
    const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
        const step = {ArrowRight: 1, ArrowLeft: -1}[e.key] ?? 0;
        const rtl = getComputedStyle(e.currentTarget).direction === 'rtl';
        const i = tabs.indexOf(current);
        const next = e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : step ? (i + (rtl ? -step : step) + tabs.length) % tabs.length : -1;
        if (next < 0) return;
        e.preventDefault();
        onSelect(tabs[next]);
        document.getElementById(`${idPrefix}-tab-${tabs[next]}`)?.focus();
    };
    return (
        <>
            <div className="tabs" role="tablist" aria-label={label} onKeyDown={onKey}>
                {tabs.map((name) => (
                    <button
                        key={name}
                        type="button"
                        role="tab"
                        id={`${idPrefix}-tab-${name}`}
                        aria-selected={current === name}
                        tabIndex={current === name ? 0 : -1}
                        aria-controls={`${idPrefix}-panel`}
                        className={current === name ? 'tab active' : 'tab'}
                        onClick={() => onSelect(name)}
                    >
                        {labelOf(name)}
                    </button>
                ))}
            </div>
            <div id={`${idPrefix}-panel`} role="tabpanel" aria-labelledby={`${idPrefix}-tab-${current}`}>
                {children}
            </div>
        </>
    );
}
