/**
 * SOAP handlers of the directory (guide p. 8): SearchProfessionals, GetProfessional,
 * ListDirectoryReferences. Each is a small factory over the Directory port (port.ts), which already
 * checks criteria with shared/directory/criteria.ts and hides what must stay hidden; these handlers
 * only translate between the wire and the port:
 * - DirectoryError request.invalid names a field: it becomes InvalidRequestError with the field's
 *   name in the caller's language (shared/directory/fields.ts), so the Fault says which field is wrong;
 * - search.criteria_required and directory.unavailable travel as DirectoryError, a CodedError (errors.ts:
 *   Client 400 and Server 503);
 * - an unknown OR hidden id answers the same Fault directory.not_found (Client 404): the card of a
 *   hidden professional is never confirmed.
 */
import { fieldLabel } from '../../../shared/directory/fields.ts';
import type { SearchCriteria } from '../../../shared/directory/operations.ts';
import type { Lang } from '../../../shared/i18n/lang.ts';
import { CodedError, InvalidRequestError } from '../errors.ts';
import type { Handler, HandlerRegistry } from '../soap/handlers.ts';
import { DirectoryError } from './errors.ts';
import type { Directory } from './port.ts';

export interface DirectoryHandlerDeps {
  directory: Directory;
}

/** Runs a directory call, turning a field-level refusal into a Fault that names the field in `lang`. */
async function translated<T>(lang: Lang, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof DirectoryError && e.code === 'request.invalid') {
      throw new InvalidRequestError(fieldLabel(String(e.args[0] ?? 'criteria'), lang), { cause: e, message: `directory refused field ${e.args[0] ?? '?'}` });
    }
    throw e;
  }
}

export function searchProfessionals({ directory }: DirectoryHandlerDeps): Handler<'SearchProfessionals'> {
  return async (req, { lang }) => {
    const { offset, limit, ...rest } = req;
    // Only the declared criteria reach the port (the SOAP layer already dropped unknown elements).
    const criteria: SearchCriteria = {};
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) (criteria as Record<string, unknown>)[k] = v;
    const page = { ...(offset !== undefined ? { offset } : {}), ...(limit !== undefined ? { limit } : {}) };
    const result = await translated(lang, () => directory.search(criteria, page));
    return { total: result.total, items: result.items };
  };
}

export function getProfessional({ directory }: DirectoryHandlerDeps): Handler<'GetProfessional'> {
  return async (req, { lang }) => {
    const professional = await translated(lang, () => directory.get(req.id));
    if (!professional) throw new CodedError('directory.not_found');
    return { professional };
  };
}

/**
 * The references are stable for the life of the directory (port.ts), so the first answer is kept;
 * a failed load is not kept, the next call tries again.
 */
export function listDirectoryReferences({ directory }: DirectoryHandlerDeps): Handler<'ListDirectoryReferences'> {
  let cached: ReturnType<Directory['references']> | undefined;
  return async () => {
    if (!cached) {
      const loading = directory.references();
      cached = loading;
      loading.catch(() => {
        if (cached === loading) cached = undefined;
      });
    }
    return await cached;
  };
}

export function directoryHandlers(deps: DirectoryHandlerDeps): HandlerRegistry {
  return {
    SearchProfessionals: searchProfessionals(deps),
    GetProfessional: getProfessional(deps),
    ListDirectoryReferences: listDirectoryReferences(deps),
  };
}
