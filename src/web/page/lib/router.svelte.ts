// The current route, following location.hash (routes.ts has the table).
import { parseRoute, hrefFor, type Route } from './routes.js';

class Router {
  route = $state<Route>(parseRoute(typeof location === 'undefined' ? '' : location.hash));

  constructor() {
    if (typeof window !== 'undefined') window.addEventListener('hashchange', () => (this.route = parseRoute(location.hash)));
  }

  go(route: Route): void {
    location.hash = hrefFor(route);
  }
}

export const router = new Router();
