// Slash commands in the message box: what is being typed, which commands match, and where an answer's
// goto_location leads (inside the app when it is one of this server's pages).
import type {Command} from '../api/types';
import {navigate} from '../router';

/** The trigger typed so far when the text (up to the caret) is a command's first word, else null. */
export function typedTrigger(textBeforeCaret: string): string | null {
    const match = /^\/(\S*)$/.exec(textBeforeCaret);
    return match ? match[1].toLowerCase() : null;
}

/** A message to run as a command rather than post: it starts with "/" (a leading space makes it a message). */
export const isCommand = (message: string) => /^\/\S/.test(message);

export function matchCommands(commands: Command[], typed: string, limit = 8): Command[] {
    const seen = new Set<string>();
    return commands
        .filter((c) => c.trigger.startsWith(typed) && !seen.has(c.trigger) && (seen.add(c.trigger), true))
        .sort((a, b) => a.trigger.localeCompare(b.trigger))
        .slice(0, limit);
}

/** Follow a command's goto_location: this server's pages open in the app, others in a new tab. */
export function followGoto(location: string, origin = window.location.origin): void {
    if (!location) return;
    const url = new URL(location, origin);
    if (url.origin === origin) navigate(url.pathname + url.search);
    else if (url.protocol === 'https:' || url.protocol === 'http:') window.open(url.href, '_blank', 'noopener');
}
