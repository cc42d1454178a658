import { render } from 'preact';
import { App } from './app.js';
import { connectLive } from './api/live.js';
import { watchMeters } from './state/meters.js';
import { followTheme } from './style/theme.js';
import './style/global.css';

// Under ingress the server adds a <base> element with the ingress path (/api/hassio_ingress/<token>/) (app/src/web/plugins/staticUi.ts), so the
// assets load even when the panel was opened without its trailing slash. Give the address the slash too, then drop the
// base: from here on relative URLs (fetch, the WebSocket, hash links) resolve against the address itself, query included.
const base = new URL(document.baseURI);
if (location.pathname + '/' === base.pathname) {
  history.replaceState(history.state, '', base.pathname + location.search + location.hash);
}
document.querySelector('base')?.remove();

followTheme();
watchMeters();
connectLive();
render(<App />, document.getElementById('app')!);
