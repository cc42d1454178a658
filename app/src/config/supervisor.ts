/**
 * The Supervisor's MQTT service (homeassistant-addon.md §4): `GET /services/mqtt` with the add-on token.
 * Answers `{"result":"ok","data":{host,port,ssl,protocol,username,password}}`, or
 * `{"result":"error","message":"Service not enabled"}` when no broker add-on provides the service.
 */

export interface MqttServiceInfo {
  readonly host: string;
  readonly port: number;
  readonly ssl: boolean;
  readonly username: string | null;
  readonly password: string | null;
}

export type MqttServiceResult = { readonly ok: true; readonly service: MqttServiceInfo } | { readonly ok: false; readonly reason: string };

export async function fetchMqttService(api: string, token: string, timeoutMs = 5000): Promise<MqttServiceResult> {
  let body: unknown;
  try {
    const res = await fetch(`${api.replace(/\/$/, '')}/services/mqtt`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = await res.json().catch(() => null);
    if (res.status === 403) return { ok: false, reason: 'the Supervisor refused access to the MQTT service (services: mqtt:want missing?)' };
    if (!res.ok && !(body && typeof body === 'object')) return { ok: false, reason: `the Supervisor answered HTTP ${res.status}` };
  } catch (e) {
    return { ok: false, reason: `cannot reach the Supervisor (${(e as Error).message})` };
  }
  const envelope = body as { result?: string; message?: string; data?: Record<string, unknown> } | null;
  if (!envelope || envelope.result !== 'ok' || !envelope.data) {
    return { ok: false, reason: envelope?.message ? `the Supervisor says: ${envelope.message}` : 'unexpected answer from the Supervisor' };
  }
  const d = envelope.data;
  const port = typeof d.port === 'number' ? d.port : Number(d.port);
  if (typeof d.host !== 'string' || !Number.isInteger(port)) return { ok: false, reason: 'the MQTT service has no host or port' };
  return {
    ok: true,
    service: {
      host: d.host,
      port,
      ssl: d.ssl === true || d.ssl === 'true',
      username: typeof d.username === 'string' && d.username !== '' ? d.username : null,
      password: typeof d.password === 'string' && d.password !== '' ? d.password : null,
    },
  };
}
