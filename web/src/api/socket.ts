// Mattermost's WebSocket protocol over the session cookie: events carry `seq`; after a drop the client
// reconnects with connection_id + sequence_number and the server replays what was missed. A hello with a new
// connection id means the replay was not possible, so the app resyncs over HTTP (never a silent gap).

export interface WsEvent {
    event: string;
    data: Record<string, unknown>;
    broadcast: {channel_id?: string; team_id?: string; user_id?: string};
    seq: number;
}

export type SocketStatus = 'connecting' | 'online' | 'offline';

interface Handlers {
    onEvent: (event: WsEvent) => void;
    onStatus: (status: SocketStatus) => void;
    /** A new connection id: events may have been missed, refetch state. */
    onFreshConnection: () => void;
}

const PING_EVERY_MS = 20_000;
const MAX_BACKOFF_MS = 8_000;

export class Socket {
    private ws: WebSocket | null = null;
    private connectionId = '';
    private nextSeq = 0;
    private actionSeq = 1;
    private attempts = 0;
    private stopped = false;
    private retryTimer: ReturnType<typeof setTimeout> | undefined;
    private pingTimer: ReturnType<typeof setInterval> | undefined;
    private awaitingPong = false;

    constructor(
        private readonly url: string,
        private readonly handlers: Handlers,
    ) {
        window.addEventListener('offline', this.onOffline);
        window.addEventListener('online', this.onOnline);
    }

    connect(): void {
        this.stopped = false;
        clearTimeout(this.retryTimer);
        if (this.ws) return;
        this.handlers.onStatus('connecting');
        const query = this.connectionId ? `?connection_id=${this.connectionId}&sequence_number=${this.nextSeq}` : '';
        const ws = new WebSocket(this.url + query);
        this.ws = ws;
        ws.onmessage = (m) => this.receive(String(m.data));
        ws.onclose = () => {
            if (this.ws !== ws) return;
            this.ws = null;
            clearInterval(this.pingTimer);
            this.handlers.onStatus('offline');
            if (!this.stopped) this.scheduleRetry();
        };
        ws.onopen = () => {
            this.attempts = 0;
            this.handlers.onStatus('online');
            this.awaitingPong = false;
            clearInterval(this.pingTimer);
            this.pingTimer = setInterval(this.heartbeat, PING_EVERY_MS);
        };
    }

    send(action: string, data: Record<string, unknown>): void {
        if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({action, seq: this.actionSeq++, data}));
    }

    close(): void {
        this.stopped = true;
        clearTimeout(this.retryTimer);
        clearInterval(this.pingTimer);
        window.removeEventListener('offline', this.onOffline);
        window.removeEventListener('online', this.onOnline);
        this.drop();
    }

    private drop(): void {
        const ws = this.ws;
        this.ws = null;
        clearInterval(this.pingTimer);
        if (ws) {
            ws.onclose = null;
            ws.close();
            this.handlers.onStatus('offline');
        }
    }

    private receive(text: string): void {
        let msg: Record<string, unknown>;
        try {
            msg = JSON.parse(text);
        } catch {
            return;
        }
        if ('seq_reply' in msg) {
            this.awaitingPong = false;
            return;
        }
        const event = msg as unknown as WsEvent;
        if (typeof event.event !== 'string') return;
        if (event.event === 'hello') {
            const id = String(event.data.connection_id ?? '');
            this.nextSeq = event.seq + 1;
            if (id !== this.connectionId) {
                this.connectionId = id;
                this.handlers.onFreshConnection();
            }
            return;
        }
        if (event.seq > this.nextSeq) {
            // Missed events the server did not announce: start over with a fresh connection and resync.
            this.connectionId = '';
            this.drop();
            this.connect();
            return;
        }
        this.nextSeq = event.seq + 1;
        this.handlers.onEvent(event);
    }

    private heartbeat = () => {
        if (this.awaitingPong) {
            this.drop(); // no answer to the last ping: the connection is dead
            this.scheduleRetry(0);
            return;
        }
        this.awaitingPong = true;
        this.send('ping', {});
    };

    private scheduleRetry(delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempts)): void {
        this.attempts += 1;
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.connect(), delay);
    }

    private onOffline = () => this.drop();
    private onOnline = () => {
        this.attempts = 0;
        this.connect();
    };
}
