// API Gateway REST methods and HTTP API routes declared in a template, with their full paths.
import type { Locate, RouteInput } from '../types';
import type { TemplateResources } from './cloudformation';
import { referencedId, resolveIntrinsics } from './intrinsics';

function str(value: unknown, fallback: string): string {
  const resolved = resolveIntrinsics(value);
  return typeof resolved === 'string' && resolved.length > 0 ? resolved : fallback;
}

/** `/a/b` for an AWS::ApiGateway::Resource, following ParentId up to the API's root. */
function restPath(resources: TemplateResources, resourceId: unknown, seen = new Set<string>()): string {
  const id = referencedId(resourceId);
  const node = id === undefined ? undefined : resources[id];
  // GetAtt Api.RootResourceId, or a cycle: the root.
  if (id === undefined || node?.Type !== 'AWS::ApiGateway::Resource' || seen.has(id)) return '';
  seen.add(id);
  return `${restPath(resources, node.Properties?.ParentId, seen)}/${str(node.Properties?.PathPart, '?')}`;
}

function location(file: string, locate: Locate, id: string): { file: string; line?: number } {
  const line = locate(['Resources', id]);
  return line === undefined ? { file } : { file, line };
}

/**
 * Every REST method (`AWS::ApiGateway::Method`) and HTTP API route (`AWS::ApiGatewayV2::Route`) with
 * its authorization type; a missing AuthorizationType is `NONE`, as API Gateway treats it.
 */
export function readTemplateRoutes(resources: TemplateResources, file: string, locate: Locate): RouteInput[] {
  const routes: RouteInput[] = [];
  for (const [id, res] of Object.entries(resources)) {
    const props = res.Properties ?? {};
    if (res.Type === 'AWS::ApiGateway::Method') {
      routes.push({
        api: referencedId(props.RestApiId) ?? str(props.RestApiId, '?'),
        method: str(props.HttpMethod, 'ANY').toUpperCase(),
        path: restPath(resources, props.ResourceId) || '/',
        authorizationType: str(props.AuthorizationType, 'NONE'),
        apiKeyRequired: resolveIntrinsics(props.ApiKeyRequired) === true || resolveIntrinsics(props.ApiKeyRequired) === 'true',
        resource: id,
        location: location(file, locate, id),
      });
    } else if (res.Type === 'AWS::ApiGatewayV2::Route') {
      const key = str(props.RouteKey, '$default');
      const [method, path] = key.includes(' ') ? key.split(/\s+/, 2) : ['ANY', key];
      routes.push({
        api: referencedId(props.ApiId) ?? str(props.ApiId, '?'),
        method: (method ?? 'ANY').toUpperCase(),
        path: path ?? key,
        authorizationType: str(props.AuthorizationType, 'NONE'),
        apiKeyRequired: resolveIntrinsics(props.ApiKeyRequired) === true,
        resource: id,
        location: location(file, locate, id),
      });
    }
  }
  return routes;
}
