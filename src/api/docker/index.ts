// api/docker: the Docker Engine API (versions 1.41–1.50) on Bulkhead's socket, so the docker CLI, dockerode and
// other Docker clients drive the engine unchanged. This folder is a translation layer only: Docker's JSON and
// query parameters in, Engine method calls, Docker's JSON and stream framing out. It holds no state and never
// reaches around the Engine into domain modules; what Docker asks for that the engine cannot do is a clear 400
// naming the field, never a silent no-op. Errors travel as {"message": …} with the engine kind's status.
import { Router } from '../router.js';
import { dockerSystemRoutes } from './system.js';
import { dockerContainerRoutes } from './containers.js';
import { dockerContainerIoRoutes } from './container-io.js';
import { dockerExecRoutes } from './exec.js';
import { dockerImageRoutes } from './images.js';
import { dockerBuildRoutes } from './build.js';
import { dockerVolumeRoutes } from './volumes.js';
import { dockerNetworkRoutes } from './networks.js';

export { splitVersionPrefix, MIN_DOCKER_API, MAX_DOCKER_API } from './version.js';

/** The router for every path outside /bulkhead/, after the server has stripped the /vX.Y prefix. */
export function buildDockerRouter(): Router {
  const router = new Router();
  dockerSystemRoutes(router);
  dockerContainerRoutes(router);
  dockerContainerIoRoutes(router);
  dockerExecRoutes(router);
  dockerImageRoutes(router);
  dockerBuildRoutes(router);
  dockerVolumeRoutes(router);
  dockerNetworkRoutes(router);
  return router;
}
