/** The per-request context the server's middleware and routes share. */
import type { SessionStore } from '../session/store.js';

export interface ServerEnv {
  Variables: {
    /**
     * The store this request acts on: the server's store, or a view scoped to the user its token is
     * bound to. Routes use only this one, so a scoped request cannot reach another user's sessions.
     */
    store: SessionStore;
    /** The user the request's token is bound to; undefined for an unbound token or no authentication. */
    userId: string | undefined;
  };
}
