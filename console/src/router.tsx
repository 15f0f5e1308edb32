// A small History-API router: paths below the console's base (`/console/`), links that are real <a href>s
// (open in a new tab, keyboard, screen readers all work), and client-side navigation for plain clicks.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export const BASE = import.meta.env.BASE_URL.replace(/\/?$/, '/');

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());
window.addEventListener('popstate', notify);

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};
const current = () => window.location.pathname + window.location.search;

export interface Location {
  /** The path below the base, without leading slash: '' (dashboard), 'users', 'users/abc'. */
  path: string;
  search: URLSearchParams;
}

export const useLocation = (): Location => {
  const href = useSyncExternalStore(subscribe, current);
  const url = new URL(href, window.location.origin);
  const path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : url.pathname.replace(/^\/+/, '');
  return { path: path.replace(/\/+$/, ''), search: url.searchParams };
};

/** `to` is relative to the base: 'users?q=ann'. */
export const href = (to: string) => `${BASE}${to.replace(/^\/+/, '')}`;

export const navigate = (to: string, options: { replace?: boolean } = {}) => {
  const target = href(to);
  if (target === current()) return;
  if (options.replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  notify();
};

export type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

export const Link = ({ to, onClick, ...rest }: LinkProps) => (
  <a
    {...rest}
    href={href(to)}
    onClick={(event: MouseEvent<HTMLAnchorElement>) => {
      onClick?.(event);
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || rest.target) return;
      event.preventDefault();
      navigate(to);
    }}
  />
);
