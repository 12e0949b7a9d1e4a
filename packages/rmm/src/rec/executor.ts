/**
 * The "execute this REC" port of REC_ENTER's run loop lives in `@islet/abi`
 * (`realm-executor.ts`), so that a CPU model outside the RMM can implement it; the RMM re-exports
 * it for its users.
 * @module
 */
export type { RealmExecutor, RealmTranslation, RealmTrap, RecView } from '@islet/abi';
