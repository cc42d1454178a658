/**
 * Live updates over the WebSocket `ws` next to the panel URL (http→ws, https→wss), reconnecting with capped
 * exponential backoff. WebSocket, not SSE: Core's ingress buffered SSE before 2026-01. The server sends a full
 * snapshot first on every (re)connect, so nothing is lost across a reconnect. While the socket is down, the HTTP
 * snapshot keeps the page current.
 */
import { selectedMeter, withMeter } from '../state/meters.js';
import { applyMessage, applySnapshot, connection } from '../state/store.js';
import { getSnapshot } from './client.js';
import type { LiveMessage } from './contract.js';

const MIN_DELAY = 1000;
const MAX_DELAY = 30_000;

/** The WebSocket URL next to the panel URL, for `meter` (null: the default, first meter). */
export function liveUrl(href: string, meter: string | null = null): string {
  const url = new URL(withMeter('ws', meter), href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  return url.href;
}

/** Connects and keeps reconnecting; returns a stop function. */
export function connectLive(): () => void {
  let socket: WebSocket | null = null;
  let delay = MIN_DELAY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const refresh = (): void => {
    getSnapshot().then(applySnapshot, () => undefined);
  };

  const open = (): void => {
    connection.value = 'connecting';
    const ws = new WebSocket(liveUrl(location.href, selectedMeter.value));
    socket = ws;
    ws.onopen = () => {
      connection.value = 'open';
      delay = MIN_DELAY;
    };
    ws.onmessage = (ev: MessageEvent<string>) => {
      if (socket !== ws) return; // a message of the meter shown before a switch
      try {
        applyMessage(JSON.parse(ev.data) as LiveMessage);
      } catch (err) {
        console.warn('live: bad message', err);
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      connection.value = 'closed';
      if (stopped) return;
      refresh();
      // Full jitter keeps many tabs from reconnecting in step after an add-on restart.
      timer = setTimeout(open, delay / 2 + Math.random() * (delay / 2));
      delay = Math.min(delay * 2, MAX_DELAY);
    };
  };

  open();
  // another meter selected: its own socket (its first message is its full snapshot)
  let shown = selectedMeter.value;
  const unwatch = selectedMeter.subscribe((meter) => {
    if (meter === shown || stopped) return;
    shown = meter;
    clearTimeout(timer);
    const old = socket;
    socket = null;
    old?.close();
    delay = MIN_DELAY;
    open();
  });
  return () => {
    stopped = true;
    unwatch();
    clearTimeout(timer);
    socket?.close();
  };
}
