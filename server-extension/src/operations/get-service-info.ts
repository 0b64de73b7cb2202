/**
 * GetServiceInfo: the service's version, its enabled features, and the caller as Zimbra vouches for
 * them. The zimlets call it first, to learn what the deployment offers and to check the session.
 */
import type { Handler } from '../soap/handlers.ts';

export interface GetServiceInfoDeps {
  version: string;
  /** Names of the optional features this deployment has switched on (see root.ts). */
  features: readonly string[];
}

export function getServiceInfo(deps: GetServiceInfoDeps): Handler<'GetServiceInfo'> {
  return async (_req, { caller }) => ({
    version: deps.version,
    features: [...deps.features],
    account: {
      id: caller.accountId,
      name: caller.name,
      ...(caller.displayName ? { displayName: caller.displayName } : {}),
      ...(caller.authMethod ? { authMethod: caller.authMethod } : {}),
    },
  });
}
