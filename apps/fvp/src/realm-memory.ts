/**
 * The MMU for realm code: the stage-2 translation and the accesses a REC makes while the
 * executor (`@islet/guest`'s worker vCPUs) runs it. The executor may not import `@islet/mmu`, so
 * the platform hands it this port.
 *
 * Every access is walked through the realm's RTTs (VTTBR/VTCR of {@link RealmTranslation}) with
 * descriptors read through the Realm PAS, page by page; a page maps to its output address in the
 * Realm PAS, or in the Non-secure PAS when the descriptor's NS bit is set (an unprotected IPA
 * the host mapped), and the access goes through the granule protection check of that PAS. An
 * invalid descriptor is a translation fault at its level; an RTT or output address the check
 * refuses is an external abort. A write that faults on its second page has written the first,
 * as a multi-page copy on hardware would.
 * @module
 */
import { MemoryAccess, type RealmTranslation } from '@islet/abi';
import { type PhysAddr, physAddr } from '@islet/arch';
import type { RealmMemory, RealmMemoryFault } from '@islet/guest';
import { type PhysicalMemory, Stage2FaultKind, Stage2Geometry, stage2Walk } from '@islet/mmu';

const PAGE = 4096;

/**
 * Builds the realm-access port over the platform's checked physical memory.
 * @since 0.7.0
 */
export function realmMemory(memory: PhysicalMemory): RealmMemory {
  const geometries = new Map<string, Stage2Geometry>();
  const geometryOf = (realm: RealmTranslation): Stage2Geometry => {
    const key = `${realm.rttBase}:${realm.rttLevelStart}:${realm.ipaWidth}`;
    let g = geometries.get(key);
    if (g === undefined) {
      g = new Stage2Geometry({
        rootPa: physAddr(realm.rttBase),
        startLevel: realm.rttLevelStart,
        ipaWidth: realm.ipaWidth,
      });
      geometries.set(key, g);
    }
    return g;
  };
  return {
    access(realm, ipa, data, write): RealmMemoryFault | undefined {
      const geometry = geometryOf(realm);
      let done = 0;
      while (done < data.length) {
        const at = ipa + done;
        const n = Math.min(PAGE - (at % PAGE), data.length - done);
        const t = stage2Walk(memory.realm, geometry, at);
        if (!t.ok) {
          if (t.kind === Stage2FaultKind.Translation)
            return { fault: 'translation', level: t.level };
          if (t.kind === Stage2FaultKind.AddressSize)
            return { fault: 'addressSize', level: t.level };
          return { fault: 'external', level: t.level };
        }
        const port = t.ns ? memory.normal : memory.realm;
        const pa = t.pa as PhysAddr;
        const chunk = data.subarray(done, done + n);
        if (port.check(pa, n) !== MemoryAccess.Ok) return { fault: 'external', level: t.level };
        if (write) port.write(pa, chunk);
        else port.readInto(pa, chunk);
        done += n;
      }
      return undefined;
    },
  };
}
