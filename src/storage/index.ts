// storage: container root filesystems (overlay mounts of image layer dirs under a per-container upper dir),
// named volumes, safe path resolution for `cp`, and the tmpfs of the engine's run root. Contract: nothing here
// follows a symlink from a container or image out of its root (resolveInRoot, no-follow copies); every mount it
// makes it can find again from /proc/self/mountinfo, so mount/unmount/remove are idempotent and safe to repeat after
// a crash; a failure leaves no half-made volume or directory behind. Layer tars for `commit` carry OCI whiteouts.
export { ContainerStorage, type ContainerStorageOptions } from './container-storage.js';
export { VolumeService, type VolumeServiceOptions, type CopyUpSource } from './volumes.js';
export { resolveInRoot, containerPathOf } from './secure-path.js';
export { buildView, mountOf, type ContainerView, type ViewMount, type ViewPath } from './mount-view.js';
export { copyFromContainer, copyToContainer, statInContainer, type PathStat, type CopyToOptions } from './copy.js';
export type { Change, ChangeKind } from './changes.js';
export { isMountPoint, readMountInfo, type MountInfo } from './mountinfo.js';
export { writeFileAtomic } from './atomic-file.js';
export { diskUsage } from './disk-usage.js';
export { onTmpfs, prepareRunRoot, type RunRootKind } from './run-root.js';
export { shiftedRoot, shiftedLowerDirs, removeShifted, type IdMap } from './id-shift.js';
