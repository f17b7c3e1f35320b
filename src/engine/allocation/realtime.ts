// Real-time CPU time (--cpu-rt-runtime/--cpu-rt-period, cgroup v1 only). The kernel lets a cgroup hand its
// children only the real-time time it has itself, and the containers' parent starts with none; so, as docker's
// daemon-level --cpu-rt-runtime does by hand, the engine sets the parent's budget to what its running real-time
// containers hold, raising it before a start and lowering it after an exit. The kernel's refusal to raise it
// (more than the host grants) becomes the start's refusal: real-time time is admitted, never overcommitted.
import type { ResourceLimits } from '../../core/index.js';
import { setRealtimeBudget } from '../../sys/cgroup-cpu.js';

const SECOND_US = 1_000_000;          // the parent's period: the kernel default, left as it is
const DEFAULT_PERIOD_US = 1_000_000;  // a child's period when only --cpu-rt-runtime is given

export class RealtimeBudget {
  private readonly held = new Map<string, number>();   // container id → µs per second

  constructor(private readonly parent: string, private readonly root = '/') {}

  /** Raises the parent's budget by what the container asks; throws Conflict when the host cannot grant it. */
  admit(id: string, r: ResourceLimits): void {
    if (!r.cpuRtRuntime) return;
    const share = Math.ceil(r.cpuRtRuntime * SECOND_US / (r.cpuRtPeriod ?? DEFAULT_PERIOD_US));
    const total = this.total() - (this.held.get(id) ?? 0) + share;
    setRealtimeBudget(this.parent, total, this.root);
    this.held.set(id, share);
  }

  /** Lowers the budget after the container's cgroup is gone; a refusal (a child still holding time) keeps it higher. */
  release(id: string): void {
    if (!this.held.delete(id)) return;
    try {
      setRealtimeBudget(this.parent, this.total(), this.root);
    } catch {
      // Harmless: the budget only bounds what children can be given, and each child is admitted on its own.
    }
  }

  /** Re-admits running containers after a restart (the parent kept its budget; this re-learns who holds it). */
  adopt(id: string, r: ResourceLimits): void {
    if (r.cpuRtRuntime) this.held.set(id, Math.ceil(r.cpuRtRuntime * SECOND_US / (r.cpuRtPeriod ?? DEFAULT_PERIOD_US)));
  }

  total(): number {
    let sum = 0;
    for (const v of this.held.values()) sum += v;
    return sum;
  }
}
