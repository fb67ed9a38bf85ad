/** Puts the data lifecycle (src/data/served-data.ts) on the app: digests, reload and file checks, closed with the app. */
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { FileFinding, Reloaded, ServedData } from '../../data/served-data.js';
import type { DigestIndex } from '../../refget/digest-index.js';
import type { RefgetItem } from '../../refget/refget-item.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The refget digests now (a reload replaces the index): tests await `digests.done` before asking by digest. */
    digests: DigestIndex<RefgetItem>;
    /** Re-reads the data folder and swaps the new data in (SIGHUP, POST /admin/reload); rejects, keeping the old data, on bad data. */
    reloadData(): Promise<Reloaded>;
    /** Checks every mapped file against the disk now (also done every config.dataCheckInterval ms). */
    checkDataFiles(): FileFinding[];
  }
}

const servedData: FastifyPluginAsync<{ data: ServedData }> = async (app, { data }) => {
  app.decorate('digests', { getter: () => data.digests });
  app.decorate('reloadData', () => data.reload());
  app.decorate('checkDataFiles', () => data.check());
  app.addHook('onClose', async () => {
    await data.close();
  });
};

export default fp(servedData, { name: 'served-data' });
