/** The DTO types shared with the backend; type-only, nothing of the app is bundled. */
export type * from '../../../app/src/contract/dto.js';
