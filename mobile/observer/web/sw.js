// The app shell, cached so the app opens with no network at all (server down, phone in
// a basement). Records never pass through here: they live in IndexedDB, and API calls
// always go to the network. The build stamps the cache name, so each build replaces it.
const CACHE = 'flowwalk-shell-__FLOWWALK_BUILD__';
// Every file of the bundle; the build writes the list.
const SHELL = ['/', '__FLOWWALK_SHELL__'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('flowwalk-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The desk (/desk/) is another app with its own page: never the observer's shell.
const NETWORK_ONLY = ['/api/', '/healthz', '/readyz', '/metrics', '/desk'];

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NETWORK_ONLY.some((p) => url.pathname.startsWith(p))) return;
  if (request.mode === 'navigate') {
    // Any page of the app is the app shell.
    event.respondWith(
      caches.match('/index.html').then((hit) => hit || fetch(request)),
    );
    return;
  }
  event.respondWith(
    caches.match(request, { ignoreSearch: true }).then((hit) => hit || fetch(request)),
  );
});
