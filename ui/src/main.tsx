import { render } from 'preact';
import { App } from './app.js';
import { connectLive } from './api/live.js';
import './style/global.css';

connectLive();
render(<App />, document.getElementById('app')!);
