import { render } from 'preact';
import { App } from './app.js';
import { connectLive } from './api/live.js';
import { watchMeters } from './state/meters.js';
import './style/global.css';

watchMeters();
connectLive();
render(<App />, document.getElementById('app')!);
