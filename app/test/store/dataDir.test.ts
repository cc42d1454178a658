/** Where the energy history is kept: `--data-dir`, else SMR_DATA_DIR, else /data (the folder of options.json) in the add-on, else memory. */
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

it('the data directory: the flag wins; the add-on uses the folder of options.json; standalone keeps none', () => {
  expect(loadConfig(['--simulator'], {}).dataDir).toBeNull();
  expect(loadConfig(['--simulator', '--data-dir', '/tmp/smr'], {}).dataDir).toBe('/tmp/smr');
  expect(loadConfig([], { SUPERVISOR_TOKEN: 't', OPTIONS_PATH: '/nonexistent/data/options.json' }).dataDir).toBe('/nonexistent/data');
  expect(loadConfig([], { SUPERVISOR_TOKEN: 't' }).dataDir).toBe('/data');
  expect(loadConfig(['--data-dir', '/srv/history'], { SUPERVISOR_TOKEN: 't' }).dataDir).toBe('/srv/history');
});

it('the data directory from SMR_DATA_DIR (the Docker image outside Home Assistant); the flag still wins', () => {
  expect(loadConfig(['--simulator'], { SMR_DATA_DIR: '/data' }).dataDir).toBe('/data');
  expect(loadConfig(['--simulator', '--data-dir', '/tmp/smr'], { SMR_DATA_DIR: '/data' }).dataDir).toBe('/tmp/smr');
});
