/** `@islet/rmm`: under construction. @module */

/** The package name. */
export const PACKAGE: string = '@islet/rmm';
