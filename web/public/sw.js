// Kafana's service worker: keeps the app shell (index.html and the hashed assets) so the client opens
// offline or on a bad network. API calls and the WebSocket always go to the network.
const SHELL = 'kafana-shell-v1';

self.addEventListener('install', (event) => {
    event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(['/', '/manifest.webmanifest', '/icon.svg'])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
    event.waitUntil(
        caches
            .keys()
            .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
            .then(() => self.clients.claim()),
    );
});

self.addEventListener('fetch', (event) => {
    const url = new URL(event.request.url);
    if (event.request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
    if (event.request.mode === 'navigate') {
        // Network first, so a new release shows at once; the cached shell when offline.
        event.respondWith(
            fetch(event.request)
                .then((response) => {
                    const copy = response.clone();
                    if (response.ok) caches.open(SHELL).then((cache) => cache.put('/', copy));
                    return response;
                })
                .catch(() => caches.match('/')),
        );
        return;
    }
    if (url.pathname.startsWith('/assets/')) {
        // Hashed file names never change: cache first.
        event.respondWith(
            caches.match(event.request).then(
                (hit) =>
                    hit ||
                    fetch(event.request).then((response) => {
                        const copy = response.clone();
                        if (response.ok) caches.open(SHELL).then((cache) => cache.put(event.request, copy));
                        return response;
                    }),
            ),
        );
    }
});

// Web Push (see src/notify/desktop.ts): the server's payload, decrypted by the browser, is
// {title, body, post_id, channel_id, team_id, url}. An open, visible tab already shows the message (and its own
// desktop notification, tagged with the same post id), so the push is shown only when no tab is in view.
self.addEventListener('push', (event) => {
    const data = event.data ? event.data.json() : {};
    event.waitUntil(
        self.clients.matchAll({type: 'window', includeUncontrolled: true}).then((windows) => {
            if (windows.some((w) => w.visibilityState === 'visible')) return undefined;
            return self.registration.showNotification(data.title || 'Kafana', {
                body: data.body || '',
                tag: data.post_id || undefined,
                icon: '/icon-192.png',
                data: {url: data.url || '/'},
            });
        }),
    );
});

self.addEventListener('notificationclick', (event) => {
    event.notification.close();
    const url = (event.notification.data && event.notification.data.url) || '/';
    event.waitUntil(
        self.clients.matchAll({type: 'window', includeUncontrolled: true}).then((windows) => {
            const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
            if (open) return open.focus().then((w) => w.navigate(url));
            return self.clients.openWindow(url);
        }),
    );
});
