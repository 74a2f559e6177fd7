import Docker from 'dockerode';
import { InfrastructureError } from '../../errors.js';

/**
 * Connects to the Docker engine named by DOCKER_HOST (or the default socket) and checks it
 * answers, so that "no engine" is one clear line instead of an ECONNREFUSED deep in a call.
 */
export async function connectDocker(): Promise<Docker> {
  const docker = new Docker();
  try {
    await withTimeout(docker.ping(), 10_000);
  } catch (err) {
    throw noEngineError(err);
  }
  return docker;
}

export function noEngineError(cause: unknown): InfrastructureError {
  const where = process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock';
  const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return new InfrastructureError(
    `no Docker engine answers at ${where} (${why})`,
    'start one (`sudo systemctl start docker`, or `sudo dockerd &`), or point DOCKER_HOST at a running engine',
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
