/**
 * The scheduler-extender wire protocol (k8s.io/kube-scheduler/extender/v1), and the checks that
 * turn an untrusted request body into arguments the extender can act on.
 *
 * Facts of the protocol this module encodes:
 * - Top-level keys are PascalCase (`Pod`, `Nodes`, `NodeNames`); objects inside are ordinary
 *   Kubernetes camelCase. Go's encoder writes absent pointers as `null`, and an empty
 *   `NodeList.items` as `null` too.
 * - `nodeCacheCapable: true` sends `NodeNames` (and `Nodes: null`) and reads back only
 *   `NodeNames`, rejecting the whole reply if it names a node that was not asked about.
 *   `nodeCacheCapable: false` sends `Nodes.items` and reads back only `Nodes.items`.
 * - Prioritize must answer 200 with a JSON array of `{Host, Score}`, `Score` an integer 0..10;
 *   anything else is dropped silently. kube-scheduler adds up every entry per host, so a host
 *   listed twice would count twice.
 *
 * Decisions taken here:
 * - Duplicated node names (or Node items with the same name) are collapsed to their first
 *   occurrence: the reply then holds each node once, which is what the scheduler can use.
 * - Any string is accepted as a node name (unicode included): the scheduler, not the extender,
 *   owns naming rules, and a reply only ever echoes names it was sent.
 * - A request with neither `NodeNames` nor `Nodes.items` is valid and has no candidates.
 */

/** Kubernetes object metadata, as far as the extender reads it. */
export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly ownerReferences?: readonly { readonly kind?: string; readonly name?: string }[];
  readonly [key: string]: unknown;
}

/** A Pod as kube-scheduler sends it; only `metadata` is required by the extender. */
export interface KubePod {
  readonly metadata: ObjectMeta;
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly status?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** A Node object; echoed back untouched in `nodeCacheCapable: false` mode. */
export interface KubeNode {
  readonly metadata: ObjectMeta & { readonly name: string };
  readonly [key: string]: unknown;
}

export interface KubeNodeList {
  readonly items: readonly KubeNode[] | null;
  readonly [key: string]: unknown;
}

/** Body of a filter or prioritize call (extenderv1.ExtenderArgs). */
export interface ExtenderArgs {
  readonly Pod: KubePod;
  readonly Nodes?: KubeNodeList | null;
  readonly NodeNames?: readonly string[] | null;
}

/** Filtered-out nodes and why (extenderv1.FailedNodesMap). */
export type FailedNodesMap = Record<string, string>;

/** Reply to filter (extenderv1.ExtenderFilterResult). */
export interface ExtenderFilterResult {
  Nodes?: KubeNodeList | null;
  NodeNames?: string[] | null;
  FailedNodes: FailedNodesMap;
  FailedAndUnresolvableNodes: FailedNodesMap;
  Error: string;
}

/** One entry of a prioritize reply (extenderv1.HostPriority). */
export interface HostPriority {
  Host: string;
  Score: number;
}

export type HostPriorityList = HostPriority[];

/** How the request named its candidates, which decides the field the reply must fill. */
export type NodeMode = 'names' | 'objects' | 'none';

/** A request body that passed the checks. */
export interface ParsedExtenderArgs {
  readonly pod: KubePod;
  readonly mode: NodeMode;
  /** Candidate node names, without duplicates, in request order. */
  readonly names: readonly string[];
  /** Node objects by name, when the request carried `Nodes.items`. */
  readonly objects: ReadonlyMap<string, KubeNode> | undefined;
  /** The request's NodeList, so its other fields can be echoed back. */
  readonly nodeList: KubeNodeList | undefined;
  /** Entries dropped because their name was already listed. */
  readonly duplicates: number;
}

/** A request the extender cannot understand; the message names the field and the problem. */
export class ProtocolError extends Error {
  readonly statusCode = 400;

  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Go decodes JSON keys case-insensitively, so a hand-written client sending `pod` works with Go
// extenders; this one is strict and says what it found.
function caseHint(body: Record<string, unknown>, key: string): string {
  const found = Object.keys(body).find((k) => k !== key && k.toLowerCase() === key.toLowerCase());
  return found ? ` (keys are case-sensitive: found '${found}')` : '';
}

/** Checks an ExtenderArgs body; throws ProtocolError naming the first problem found. */
export function parseExtenderArgs(body: unknown): ParsedExtenderArgs {
  if (body === undefined || body === '') {
    throw new ProtocolError('request body is empty: expected an ExtenderArgs JSON object');
  }
  if (!isObject(body)) {
    throw new ProtocolError(`request body is ${describe(body)}: expected an ExtenderArgs object`);
  }

  const pod = body.Pod;
  if (pod === undefined || pod === null) {
    throw new ProtocolError(`Pod is missing${caseHint(body, 'Pod')}`);
  }
  if (!isObject(pod)) throw new ProtocolError(`Pod must be an object, got ${describe(pod)}`);
  if (!isObject(pod.metadata)) {
    throw new ProtocolError(
      pod.metadata === undefined
        ? 'Pod.metadata is missing'
        : `Pod.metadata must be an object, got ${describe(pod.metadata)}`,
    );
  }

  const namesField = body.NodeNames;
  const nodesField = body.Nodes;
  if (namesField !== undefined && namesField !== null && !Array.isArray(namesField)) {
    throw new ProtocolError(
      `NodeNames must be an array of strings or null, got ${describe(namesField)}`,
    );
  }
  if (nodesField !== undefined && nodesField !== null && !isObject(nodesField)) {
    throw new ProtocolError(`Nodes must be a NodeList object or null, got ${describe(nodesField)}`);
  }
  const items = isObject(nodesField) ? nodesField.items : undefined;
  if (items !== undefined && items !== null && !Array.isArray(items)) {
    throw new ProtocolError(`Nodes.items must be an array or null, got ${describe(items)}`);
  }

  let duplicates = 0;
  let objects: Map<string, KubeNode> | undefined;
  if (Array.isArray(items)) {
    objects = new Map();
    for (let i = 0; i < items.length; i++) {
      const node: unknown = items[i];
      if (!isObject(node)) {
        throw new ProtocolError(`Nodes.items[${i}] must be a Node object, got ${describe(node)}`);
      }
      const name = isObject(node.metadata) ? node.metadata.name : undefined;
      if (typeof name !== 'string') {
        throw new ProtocolError(`Nodes.items[${i}].metadata.name must be a string`);
      }
      if (objects.has(name)) duplicates++;
      else objects.set(name, node as unknown as KubeNode);
    }
  }

  let names: string[];
  let mode: NodeMode;
  if (Array.isArray(namesField)) {
    mode = 'names';
    const seen = new Set<string>();
    names = [];
    for (let i = 0; i < namesField.length; i++) {
      const name: unknown = namesField[i];
      if (typeof name !== 'string') {
        throw new ProtocolError(`NodeNames[${i}] must be a string, got ${describe(name)}`);
      }
      if (seen.has(name)) {
        duplicates++;
        continue;
      }
      seen.add(name);
      names.push(name);
    }
  } else if (objects) {
    mode = 'objects';
    names = [...objects.keys()];
  } else {
    mode = isObject(nodesField) ? 'objects' : 'none';
    names = [];
  }

  return {
    pod: pod as unknown as KubePod,
    mode,
    names,
    objects,
    nodeList: isObject(nodesField) ? (nodesField as unknown as KubeNodeList) : undefined,
    duplicates,
  };
}

// Response schemas let fastify serialise replies with fast-json-stringify. `Nodes` has no
// schema on purpose: node objects are echoed as received, every field intact.
const failedNodesSchema = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const filterResultSchema = {
  type: 'object',
  properties: {
    Nodes: {},
    NodeNames: { type: ['array', 'null'], items: { type: 'string' } },
    FailedNodes: failedNodesSchema,
    FailedAndUnresolvableNodes: failedNodesSchema,
    Error: { type: 'string' },
  },
  required: ['FailedNodes', 'FailedAndUnresolvableNodes', 'Error'],
} as const;

export const hostPriorityListSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: { Host: { type: 'string' }, Score: { type: 'integer' } },
    required: ['Host', 'Score'],
  },
} as const;

export const errorResultSchema = {
  type: 'object',
  properties: { Error: { type: 'string' } },
  required: ['Error'],
} as const;
