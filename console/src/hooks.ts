// Data loading for the screens: one resource, or a list paged with the API's opaque cursors.
import { createContext, useCallback, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { SessionManager, SessionState } from './session';
import type { Page } from './types';

export const SessionContext = createContext<SessionManager | null>(null);

export const useSessionManager = (): SessionManager => {
  const manager = useContext(SessionContext);
  if (!manager) throw new Error('useSessionManager outside <SessionContext.Provider>');
  return manager;
};

export const useSessionState = (): SessionState => {
  const manager = useSessionManager();
  return useSyncExternalStore(manager.subscribe, manager.snapshot);
};

export interface Resource<T> {
  status: 'loading' | 'ready' | 'error';
  data: T | undefined;
  error: Error | undefined;
  /** Loads again; the current data stays on screen meanwhile. */
  reload: () => void;
}

export const useResource = <T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Resource<T> => {
  const [state, setState] = useState<Omit<Resource<T>, 'reload'>>({ status: 'loading', data: undefined, error: undefined });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ status: 'loading', data: previous.data, error: undefined }));
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: 'ready', data, error: undefined });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState((previous) => ({ status: 'error', data: previous.data, error: error as Error }));
      },
    );
    return () => controller.abort();
  }, [...deps, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
};

export interface PagedList<T> {
  status: 'loading' | 'ready' | 'error';
  items: T[];
  error: Error | undefined;
  hasMore: boolean;
  loadingMore: boolean;
  /** Error of the last "load more" (the items loaded so far stay). */
  moreError: Error | undefined;
  loadMore: () => void;
  reload: () => void;
}

/** A list that starts with the first page and appends the next one on demand (nextCursor → "Load more"). */
export const usePagedList = <T>(loadPage: (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>, deps: readonly unknown[]): PagedList<T> => {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [status, setStatus] = useState<PagedList<T>['status']>('loading');
  const [error, setError] = useState<Error | undefined>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error | undefined>();
  const [nonce, setNonce] = useState(0);
  const generation = useRef(0);
  const loader = useRef(loadPage);
  loader.current = loadPage;

  useEffect(() => {
    const controller = new AbortController();
    const mine = ++generation.current;
    setStatus('loading');
    setError(undefined);
    setMoreError(undefined);
    setLoadingMore(false);
    loader.current(undefined, controller.signal).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems(page.items);
        setCursor(page.nextCursor);
        setStatus('ready');
      },
      (e: unknown) => {
        if (mine !== generation.current || controller.signal.aborted) return;
        setItems([]);
        setCursor(undefined);
        setError(e as Error);
        setStatus('error');
      },
    );
    return () => controller.abort();
  }, [...deps, nonce]);

  const loadMore = useCallback(() => {
    if (!cursor || loadingMore) return;
    const mine = generation.current;
    setLoadingMore(true);
    setMoreError(undefined);
    loader.current(cursor, new AbortController().signal).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems((previous) => [...previous, ...page.items]);
        setCursor(page.nextCursor);
        setLoadingMore(false);
      },
      (e: unknown) => {
        if (mine !== generation.current) return;
        setMoreError(e as Error);
        setLoadingMore(false);
      },
    );
  }, [cursor, loadingMore]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { status, items, error, hasMore: cursor !== undefined, loadingMore, moreError, loadMore, reload };
};

/** Sets document.title for a screen. */
export const useTitle = (title: string) => {
  useEffect(() => {
    document.title = `${title} · Taskwell admin`;
  }, [title]);
};
