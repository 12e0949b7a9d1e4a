/** @module */
export const PLACEHOLDER = 0;
