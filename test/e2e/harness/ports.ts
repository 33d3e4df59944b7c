// A free loopback port: bind port 0, read what the kernel gave, release it.
// code-server binds it a moment later; a lost race shows as EADDRINUSE in its log.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const addr = srv.address();
			const port = typeof addr === 'object' && addr ? addr.port : 0;
			srv.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
		});
	});
}
