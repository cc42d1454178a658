/** Facts the add-on packaging (config.yaml) and the backend must agree on; tests compare both. */

/** Port of the ingress panel server; equals `ingress_port` in config.yaml. */
export const INGRESS_PORT = 8098;
/** Where the Supervisor writes the validated options. Override with OPTIONS_PATH (tests, standalone). */
export const DEFAULT_OPTIONS_PATH = '/data/options.json';
/** The Supervisor API base. Override with SUPERVISOR_API (tests). */
export const DEFAULT_SUPERVISOR_API = 'http://supervisor';
