/**
 * @internal Loading this module lets runtimes join clusters: it gives the runtime its cluster transport
 * (runtime/cluster-hook.ts). index.ts loads it.
 */
import { clusterStarter } from '../runtime/cluster-hook.js';
import { ClusterTransport } from './transport.js';

clusterStarter.start = (rt, options) => new ClusterTransport(rt, options);
