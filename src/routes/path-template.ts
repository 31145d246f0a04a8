// API Gateway path templates (`/orders/{id}`, `/files/{proxy+}`): the syntax check and the matcher, for routes and edges.

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const PATH_TEMPLATE = /^(\/(\{[A-Za-z0-9_]+\}|\{[A-Za-z0-9_]+\+\}|[A-Za-z0-9._~\-:@!$&'()*,;=%]+))+$|^\/$/;

/** The anchored pattern of a template: `{name}` matches one segment, `{name+}` one or more. */
export function templateToRegExp(path: string): RegExp {
  const source = path
    .split('/')
    .map((seg) => {
      if (/^\{[A-Za-z0-9_]+\+\}$/.test(seg)) return '.+';
      if (/^\{[A-Za-z0-9_]+\}$/.test(seg)) return '[^/]+';
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}
