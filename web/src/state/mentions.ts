// Channel-wide mentions in a message being sent: the composer asks before notifying a large channel, as
// Mattermost's web app does.

/** Channels with more members than this get the question. */
export const CONFIRM_CHANNEL_WIDE_ABOVE = 5;

const CODE = /```[\s\S]*?```|`[^`\n]*`/g;
const WIDE = /(?:^|[^\w@])@(channel|all|here)(?![\w-])/i;

/** `channel`, `all` or `here` when the message notifies everyone in the channel (code does not count). */
export function channelWideMention(message: string): string | null {
    const found = WIDE.exec(message.replace(CODE, ' '));
    return found ? found[1].toLowerCase() : null;
}
