/** `@islet/hes`: under construction. @module */

/** The package name. */
export const PACKAGE: string = '@islet/hes';
