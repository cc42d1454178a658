/** State of the "test a key" form. The key itself is never kept: it goes straight into one request. */
import { signal } from '@preact/signals';
import { testKey, type KeyTestResult } from '../api/client.js';

export const keyTestBusy = signal(false);
export const keyTestResult = signal<KeyTestResult | null>(null);

export async function runKeyTest(key: string, authKey: string): Promise<void> {
  keyTestBusy.value = true;
  try {
    keyTestResult.value = await testKey(key, authKey);
  } finally {
    keyTestBusy.value = false;
  }
}
