/**
 * Live updates over the WebSocket `ws` next to the panel URL, reconnecting with capped exponential backoff.
 * WebSocket, not SSE: Core's ingress buffered SSE before 2026-01. The server sends a summary snapshot first on every
 * (re)connect, then small messages per push, so nothing is lost across a reconnect. While the socket is down, the
 * HTTP snapshot keeps the page current.
 *
 * While the page is hidden (background tab, minimised window: Page Visibility API) the socket is closed, so an idle
 * panel costs neither bandwidth nor server work; when it becomes visible again it reconnects and resyncs from a fresh
 * snapshot.
 */
import { selectedMeter } from '../state/meters.js';
import { applyMessage, applySnapshot, connection } from '../state/store.js';
import { getSnapshot, liveUrl } from './client.js';
import type { LiveMessage } from './contract.js';

const MIN_DELAY = 1000;
const MAX_DELAY = 30_000;
/** A page hidden for less than this keeps its socket (switching tabs back and forth). */
const HIDDEN_GRACE_MS = 10_000;

/** Connects and keeps reconnecting while the page is visible; returns a stop function. */
export function connectLive(): () => void {
  let socket: WebSocket | null = null;
  let delay = MIN_DELAY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let hiddenTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let suspended = false;

  const refresh = (): void => {
    getSnapshot().then(applySnapshot, () => undefined);
  };

  const open = (): void => {
    clearTimeout(timer);
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
      if (stopped || suspended) return;
      refresh();
      // Full jitter keeps many tabs from reconnecting in step after an add-on restart.
      timer = setTimeout(open, delay / 2 + Math.random() * (delay / 2));
      delay = Math.min(delay * 2, MAX_DELAY);
    };
  };

  /** Hidden: close the socket after a grace period. Visible again: reconnect at once (fresh snapshot). */
  const onVisibility = (): void => {
    if (document.visibilityState === 'hidden') {
      clearTimeout(hiddenTimer);
      hiddenTimer = setTimeout(() => {
        suspended = true;
        clearTimeout(timer);
        const ws = socket;
        socket = null;
        ws?.close(1000, 'hidden');
        connection.value = 'connecting';
      }, HIDDEN_GRACE_MS);
    } else {
      clearTimeout(hiddenTimer);
      if (suspended && !stopped) {
        suspended = false;
        delay = MIN_DELAY;
        open();
      }
    }
  };
  document.addEventListener('visibilitychange', onVisibility);

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
    clearTimeout(hiddenTimer);
    document.removeEventListener('visibilitychange', onVisibility);
    socket?.close();
  };
}
