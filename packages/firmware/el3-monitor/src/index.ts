/** `@islet/el3-monitor`: under construction. @module */

/** The package name. */
export const PACKAGE: string = '@islet/el3-monitor';
