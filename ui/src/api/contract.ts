/**
 * The DTO types shared with the backend, derived from the schemas the backend validates its answers with
 * (app/src/contract/dto.ts). Type-only: neither the schemas nor TypeBox are bundled.
 */
export type * from '../../../app/src/contract/dto.js';
