// Docker system endpoints: /_ping (version negotiation), /version, /info, /events and /system/df.
import { arch, hostname } from 'node:os';
import { ENGINE_VERSION, diskUsageReport, engineInfo, type EngineEvent } from '../../engine/index.js';
import { response, sendJson } from '../request.js';
import type { ApiRequest, Router } from '../router.js';
import { dockerEvent, eventFilter, parseDockerTime } from './events.js';
import { parseFilters } from './filters.js';
import { MAX_DOCKER_API, MIN_DOCKER_API } from './version.js';
import { containerSummary } from './views.js';
import { imageSummary } from './images-views.js';
import { Lineage } from './images-lineage.js';

/** Headers clients read from /_ping: the API version to negotiate down to, and that there is no BuildKit here. */
const PING_HEADERS = {
  'API-Version': MAX_DOCKER_API, 'Docker-Experimental': 'false', Ostype: 'linux', 'Builder-Version': '1',
  'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache',
};

const KERNEL_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

export function dockerSystemRoutes(router: Router): void {
  const ping = (body: boolean) => async (r: ApiRequest) => {
    const res = response(r);
    res.writeHead(200, { ...PING_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body ? 2 : 0 });
    res.end(body ? 'OK' : undefined);
  };
  router
    .add('GET', '/_ping', ping(true))
    .add('HEAD', '/_ping', ping(false))
    .add('GET', '/version', async (r) => {
      const info = await engineInfo(r.engine);
      const details = { ApiVersion: MAX_DOCKER_API, MinAPIVersion: MIN_DOCKER_API, Os: 'linux', Arch: info.host.arch,
        KernelVersion: info.host.kernel, GitCommit: '', GoVersion: process.version, BuildTime: '' };
      sendJson(response(r), 200, {
        Platform: { Name: `Bulkhead ${ENGINE_VERSION}` },
        Components: [
          { Name: 'Engine', Version: ENGINE_VERSION, Details: { ...details, Experimental: 'false' } },
          { Name: r.engine.runtime.name, Version: '', Details: { GitCommit: '' } },
        ],
        Version: ENGINE_VERSION, ...details, Experimental: false,
      });
    })
    .add('GET', '/info', async (r) => sendJson(response(r), 200, await dockerInfo(r)))
    .add('GET', '/events', async (r) => {
      const filter = eventFilter(parseFilters(r.query.get('filters')));
      const since = parseDockerTime(r.query.get('since'), 'since');
      const until = parseDockerTime(r.query.get('until'), 'until');
      const res = response(r);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      const unsubscribe = r.engine.events.subscribe((e) => {
        if (since !== undefined && e.timeNano / 1e9 < since) return;
        if (until !== undefined && e.timeNano / 1e9 > until) return;
        const labelled = withLabels(r, e);
        if (filter(labelled)) res.write(JSON.stringify(dockerEvent(labelled)) + '\n');
      }, since === undefined ? undefined : Math.floor(since));
      r.raw.on('close', unsubscribe);
      // With --until the stream replays, follows live events until that moment, then ends (as docker does).
      if (until !== undefined) {
        const finish = () => { unsubscribe(); res.end(); };
        const ms = until * 1000 - Date.now();
        if (ms <= 0) finish(); else setTimeout(finish, ms).unref();
      }
    })
    .add('GET', '/system/df', async (r) => {
      const report = await diskUsageReport(r.engine);
      const images = r.engine.images.list();
      const lineage = new Lineage(images);
      const sizeRw = new Map(report.containers.map((c) => [c.id, c.size]));
      sendJson(response(r), 200, {
        LayersSize: images.reduce((sum, i) => sum + i.size, 0),
        Images: images.map((i) => ({ ...imageSummary(i, lineage), Containers: report.images.find((x) => x.id === i.id)?.containers ?? 0 })),
        Containers: r.engine.list({ all: true }).map((c) => ({ ...containerSummary(c), SizeRw: sizeRw.get(c.config.id) ?? 0 })),
        Volumes: report.volumes.map((v) => {
          const rec = r.engine.volumes.get(v.name);
          return { Name: v.name, Driver: 'local', Mountpoint: rec?.mountpoint ?? '', CreatedAt: rec?.created ?? '', Labels: rec?.labels ?? {},
            Scope: 'local', Options: null, UsageData: { Size: v.size, RefCount: v.inUse ? 1 : 0 } };
        }),
        // The classic builder's cache is its step images; each is one record of type "regular", shared when tagged.
        BuildCache: report.buildCache.images.map((b) => ({ ID: b.id, Parents: null, Type: 'regular', Description: 'build step image',
          InUse: false, Shared: b.tagged, Size: b.size, CreatedAt: b.created, LastUsedAt: null, UsageCount: 0 })),
      });
    });
}

async function dockerInfo(r: ApiRequest) {
  const info = await engineInfo(r.engine);
  const host = info.host;
  const v1 = host.cgroup.version === 1;
  const has = (c: string) => !v1 || host.cgroup.v1Controllers.includes(c);
  return {
    ID: '', Name: hostname(), ServerVersion: ENGINE_VERSION,
    Containers: info.containers.total, ContainersRunning: info.containers.running, ContainersPaused: info.containers.paused,
    ContainersStopped: info.containers.stopped, Images: info.images,
    Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'overlayfs layers']],
    Plugins: { Volume: ['local'], Network: ['host', 'null'], Authorization: null, Log: ['json-file'] },
    MemoryLimit: has('memory'), SwapLimit: has('memory'), CpuCfsPeriod: has('cpu'), CpuCfsQuota: has('cpu'), CPUShares: has('cpu'),
    CPUSet: has('cpuset'), PidsLimit: has('pids'), IPv4Forwarding: true, BridgeNfIptables: false, BridgeNfIp6tables: false,
    Debug: false, NFd: 0, OomKillDisable: v1, NGoroutines: 0, SystemTime: new Date().toISOString(), LoggingDriver: 'json-file',
    CgroupDriver: host.cgroup.driver, CgroupVersion: String(host.cgroup.version), NEventsListener: 0,
    KernelVersion: host.kernel, OperatingSystem: host.os.prettyName || host.os.name, OSVersion: host.os.version, OSType: 'linux',
    Architecture: KERNEL_ARCH[arch()] ?? arch(), IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: [] },
    NCPU: host.cpus, MemTotal: host.memTotal, GenericResources: null, DockerRootDir: info.root,
    HttpProxy: '', HttpsProxy: '', NoProxy: '', Labels: [], ExperimentalBuild: false,
    Runtimes: { [info.runtime.name]: { path: info.runtime.path } }, DefaultRuntime: info.runtime.name,
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true, Isolation: '', InitBinary: '',
    ContainerdCommit: { ID: '' }, RuncCommit: { ID: '' }, InitCommit: { ID: '' },
    SecurityOptions: ['name=seccomp,profile=builtin', 'name=no-new-privileges'],
    CDISpecDirs: [], Warnings: [],
  };
}


/**
 * Docker puts a container's labels into its events' attributes (label filters rely on it); the engine's events
 * carry name and image only, so the labels are added here while the container still exists.
 */
function withLabels(r: ApiRequest, e: EngineEvent): EngineEvent {
  if (e.type !== 'container' || !e.id) return e;
  try {
    return { ...e, attributes: { ...r.engine.inspect(e.id).config.labels, ...e.attributes } };
  } catch {
    return e;
  }
}
