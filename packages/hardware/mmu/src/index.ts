/**
 * `@islet/mmu`: the physical memory of an FVP-like platform (DRAM banks stored as sparse 4 KiB
 * granule slabs), world-tagged access ports checked against the GPT before every access, the
 * status-returning `PhysMemory` port of `@islet/abi`, and stage-2 translation walks over RTTs in
 * the architected descriptor format.
 * @module
 */
export {
  ARM_DRAM1_BASE,
  ARM_DRAM1_SIZE,
  ARM_DRAM2_BASE,
  ARM_DRAM2_SIZE,
  Dram,
  type DramBank,
  type DramOptions,
  type DramStats,
  FVP_DRAM_BANKS,
  FVP_PPS_BITS,
  MAX_READ_SIZE,
} from './dram.ts';
export {
  ExternalAbortError,
  GranuleProtectionFault,
  type MemoryArgumentCode,
  MemoryArgumentError,
} from './errors.ts';
export { MemoryPort, PhysicalMemory } from './physical-memory.ts';
export {
  type DescriptorWriter,
  rttCreateTables,
  rttEntryAddress,
  rttWriteDescriptor,
  rttWriteEntry,
} from './rtt-builder.ts';
export {
  type DescriptorReader,
  rttRootTableCount,
  type Stage2Fault,
  Stage2FaultKind,
  Stage2Geometry,
  type Stage2Root,
  type Stage2Translation,
  type Stage2WalkResult,
  stage2Walk,
} from './stage2-walk.ts';
