// Docker network endpoints and container networking through the docker CLI and dockerode: network create/ls/
// inspect/connect/disconnect/rm/prune, names and aliases resolving between containers, published ports in
// `docker port`, `docker ps` and inspect, and the refusals (unknown driver, a network in use).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DockerTestEngine, haveDockerCli } from './helpers.js';

const skip = process.getuid?.() !== 0 ? 'needs root' : !haveDockerCli() ? 'the docker CLI is not installed' : false;

describe('docker networks', { skip }, () => {
  const e = new DockerTestEngine('bh-test-dnet-');
  before(() => e.setup());
  after(() => e.cleanup());

  it('creates and inspects a network; containers on it reach each other by name and alias', () => {
    const id = e.dockerOk(['network', 'create', '--subnet', '10.97.31.0/24', '--label', 'team=a', 'bh-dnet']);
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(e.dockerOk(['network', 'inspect', '-f', '{{.Driver}} {{(index .IPAM.Config 0).Subnet}} {{.Labels.team}}', 'bh-dnet']),
      'bridge 10.97.31.0/24 a');
    assert.match(e.dockerOk(['network', 'ls', '--filter', 'label=team=a', '--format', '{{.Name}}']), /^bh-dnet$/);
    e.dockerOk(['run', '-d', '--name', 'dn-web', '--network', 'bh-dnet', '--network-alias', 'www', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
    const webIp = e.dockerOk(['inspect', '-f', '{{(index .NetworkSettings.Networks "bh-dnet").IPAddress}}', 'dn-web']);
    assert.match(webIp, /^10\.97\.31\.\d+$/);
    const short = e.dockerOk(['inspect', '-f', '{{.Id}}', 'dn-web']).slice(0, 12);
    assert.equal(e.dockerOk(['run', '--rm', '--network', 'bh-dnet', 'busybox', 'wget', '-q', '-O', '-', 'http://www/hostname']), short);
    const members = JSON.parse(e.dockerOk(['network', 'inspect', 'bh-dnet']))[0].Containers as Record<string, { Name: string; IPv4Address: string }>;
    assert.deepEqual(Object.values(members).map((m) => [m.Name, m.IPv4Address]), [['dn-web', `${webIp}/24`]]);
  });

  it('publishes ports: docker port, ps and inspect show them', () => {
    e.dockerOk(['run', '-d', '--name', 'dn-pub', '-p', '127.0.0.1:18951:80', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
    assert.equal(e.dockerOk(['port', 'dn-pub']), '80/tcp -> 127.0.0.1:18951');
    assert.match(e.dockerOk(['ps', '--filter', 'name=dn-pub', '--format', '{{.Ports}}']), /127\.0\.0\.1:18951->80\/tcp/);
    assert.equal(e.dockerOk(['inspect', '-f', '{{(index (index .HostConfig.PortBindings "80/tcp") 0).HostPort}}', 'dn-pub']), '18951');
  });

  it('connects and disconnects a running container', () => {
    e.dockerOk(['network', 'connect', '--alias', 'pub', 'bh-dnet', 'dn-pub']);
    const nets = () => Object.keys(JSON.parse(e.dockerOk(['inspect', '-f', '{{json .NetworkSettings.Networks}}', 'dn-pub']))).sort();
    assert.deepEqual(nets(), ['bh-dnet', 'bridge']);
    assert.equal(e.dockerOk(['run', '--rm', '--network', 'bh-dnet', 'busybox', 'wget', '-q', '-O', '-', 'http://pub/hostname']),
      e.dockerOk(['inspect', '-f', '{{.Id}}', 'dn-pub']).slice(0, 12));
    e.dockerOk(['network', 'disconnect', 'bh-dnet', 'dn-pub']);
    assert.deepEqual(nets(), ['bridge']);
  });

  it('refuses what it cannot do, and removes and prunes networks', async () => {
    const overlay = e.docker(['network', 'create', '--driver', 'overlay', 'bh-dnet-ov']);
    assert.notEqual(overlay.code, 0);
    assert.match(overlay.stderr, /driver "overlay" is not supported/);
    const busy = e.docker(['network', 'rm', 'bh-dnet']);
    assert.notEqual(busy.code, 0);
    assert.match(busy.stderr, /in use by container dn-web/);
    e.dockerOk(['rm', '-f', 'dn-web', 'dn-pub']);
    e.dockerOk(['network', 'rm', 'bh-dnet']);
    const docker = e.dockerode();
    await docker.createNetwork({ Name: 'bh-dnet-ode', Labels: { from: 'dockerode' } });
    const listed = await docker.listNetworks({ filters: JSON.stringify({ label: ['from=dockerode'] }) });
    assert.deepEqual(listed.map((n) => n.Name), ['bh-dnet-ode']);
    assert.match(e.dockerOk(['network', 'prune', '-f']), /bh-dnet-ode/);
    assert.equal(e.docker(['network', 'inspect', 'bh-dnet-ode']).code, 1);
  });
});
