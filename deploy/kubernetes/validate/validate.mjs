// Validates rendered manifests (`kubectl kustomize` output, one or more files) offline:
//
// 1. every object against its schema: Kubernetes' (kubernetes-models) or KEDA's
//    (@kubernetes-models/keda), types and required fields, and no field the schema does not
//    know (the schemas' validators accept unknown fields; a misspelled one is caught here by
//    watching which fields the validator reads: see `track`);
// 2. what no schema can see: references between the objects (Services, budgets, autoscalers and
//    ScaledObjects find their pods; ConfigMaps exist), and the rules of docs/kubernetes.md
//    (non-root, read-only root file system, requests, probes, the event bus on the pod IP,
//    discovery through a headless Service, TASKS_MIGRATE=never, a migration Job named by the
//    version, KEDA's target = a worker's capacity, one pod per scaling step).
//
// Usage: node validate.mjs rendered.yaml...   Exit 0 when all is well, 1 with one line per problem.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import * as kubernetes from "kubernetes-models";
import * as keda from "@kubernetes-models/keda";

const models = new Map();
collectModels(kubernetes, models, new Set());
collectModels(keda, models, new Set());

function collectModels(namespace, into, seen) {
  for (const value of Object.values(namespace)) {
    if (typeof value === "function" && value.apiVersion && value.kind) {
      into.set(`${value.apiVersion} ${value.kind}`, value);
    } else if (value && typeof value === "object" && !seen.has(value)) {
      seen.add(value);
      collectModels(value, into, seen);
    }
  }
}

const problems = [];
const objects = [];
for (const file of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(readFileSync(file, "utf8"))) {
    if (doc !== null && doc !== undefined) objects.push(doc);
  }
}
if (objects.length === 0) {
  console.error("no objects to validate");
  process.exit(1);
}

const id = (o) => `${o.kind ?? "?"}/${o.metadata?.name ?? "?"}`;
const problem = (o, text) => problems.push(`${id(o)}: ${text}`);

// ---- 1. schemas ------------------------------------------------------------------------------

for (const o of objects) {
  const model = models.get(`${o.apiVersion} ${o.kind}`);
  if (!model) {
    problem(o, `no schema for apiVersion ${o.apiVersion} kind ${o.kind}`);
    continue;
  }
  const nodes = [];
  try {
    model.prototype.validate.call(track(o, "", nodes));
  } catch (e) {
    problem(o, e.message);
  }
  for (const node of nodes) {
    // an object none of whose fields the validator read is free-form in the schema (or was not
    // reached): nothing to say about its fields
    if (node.enumerated || node.read.size === 0) continue;
    for (const key of node.keys) {
      if (!node.read.has(key)) problem(o, `unknown field ${node.path}.${key}`);
    }
  }
}

/**
 * The object seen through proxies that record, per nested object, which fields were read and
 * whether its keys were listed. The compiled schema validators read each property the schema
 * declares (present or not) and list the keys only of maps (`additionalProperties`), so a key that
 * is present but never read is a field the schema does not have.
 */
function track(value, path, nodes, cache = new WeakMap()) {
  if (value === null || typeof value !== "object") return value;
  if (cache.has(value)) return cache.get(value);
  const node = { path, read: new Set(), enumerated: false, keys: Object.keys(value) };
  if (!Array.isArray(value)) nodes.push(node);
  const proxy = new Proxy(value, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof prop !== "string") return v;
      node.read.add(prop);
      if (!Object.prototype.hasOwnProperty.call(target, prop)) return v;
      const child = Array.isArray(target) ? `${path}[${prop}]` : `${path}.${prop}`;
      return track(v, child, nodes, cache);
    },
    has(target, prop) {
      if (typeof prop === "string") node.read.add(prop);
      return Reflect.has(target, prop);
    },
    getOwnPropertyDescriptor(target, prop) {
      if (typeof prop === "string") node.read.add(prop);
      return Reflect.getOwnPropertyDescriptor(target, prop);
    },
    ownKeys(target) {
      node.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
  cache.set(value, proxy);
  return proxy;
}

// ---- 2. references and rules -------------------------------------------------------------------

const ns = (o) => o.metadata?.namespace ?? "default";
const named = (kind, namespace, name) =>
  objects.find((o) => o.kind === kind && ns(o) === namespace && o.metadata?.name === name);
const workloads = objects.filter((o) => ["Deployment", "Job"].includes(o.kind));
const deployments = objects.filter((o) => o.kind === "Deployment");
const podLabels = (w) => w.spec?.template?.metadata?.labels ?? {};
const matches = (selector, labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
const selecting = (namespace, selector) =>
  workloads.filter((w) => ns(w) === namespace && matches(selector, podLabels(w)));

const seen = new Set();
for (const o of objects) {
  const key = `${o.kind} ${ns(o)} ${o.metadata?.name}`;
  if (seen.has(key)) problem(o, "defined twice");
  seen.add(key);
}

/** The environment of a container as the kubelet builds it: ConfigMaps of envFrom, then env. */
function environment(w, container) {
  const env = {};
  for (const from of container.envFrom ?? []) {
    const name = from.configMapRef?.name;
    if (name === undefined) continue;
    const map = named("ConfigMap", ns(w), name);
    if (!map) problem(w, `container ${container.name}: ConfigMap ${name} is not defined`);
    Object.assign(env, map?.data ?? {});
  }
  for (const e of container.env ?? []) {
    env[e.name] = e.value ?? (e.valueFrom?.fieldRef ? `fieldRef:${e.valueFrom.fieldRef.fieldPath}` : "");
  }
  return env;
}

function imageTag(image) {
  const at = image.lastIndexOf(":");
  return at > image.lastIndexOf("/") ? image.slice(at + 1) : "latest";
}

/** TASKS_QUEUES' capacity for `queue` (its own bucket, else `*`'s), as the service reads it. */
function capacity(queues, queue) {
  const items = (queues ?? "*=10000").split(",").map((s) => s.trim()).filter(Boolean);
  const entry = (name) => items.find((i) => i.split("=")[0] === name);
  const found = entry(queue) ?? entry("*");
  if (found === undefined) return undefined;
  return found.includes("=") ? Number(found.split("=")[1]) : 10000;
}

const onePodPerStep = (o, behavior, where) => {
  for (const direction of ["scaleUp", "scaleDown"]) {
    const policies = behavior?.[direction]?.policies ?? [];
    if (policies.length === 0 || policies.some((p) => p.type !== "Pods" || p.value !== 1)) {
      problem(o, `${where}.${direction}: scale one pod per step (policies of type Pods, value 1)`);
    }
  }
};

// an autoscaled Deployment must not set replicas: every apply would reset the autoscaler's count
const ownsReplicas = (o, target) => {
  if (target.spec?.replicas !== undefined)
    problem(target, `sets spec.replicas, which ${id(o)} owns (each apply would reset it)`);
};

const versions = new Set();
for (const w of workloads) {
  const pod = w.spec?.template?.spec ?? {};
  if (pod.securityContext?.runAsNonRoot !== true) problem(w, "pod must set runAsNonRoot: true");
  for (const c of pod.containers ?? []) {
    const where = `container ${c.name}`;
    versions.add(imageTag(c.image ?? ""));
    if (c.securityContext?.readOnlyRootFilesystem !== true)
      problem(w, `${where}: readOnlyRootFilesystem must be true`);
    if (c.securityContext?.allowPrivilegeEscalation !== false)
      problem(w, `${where}: allowPrivilegeEscalation must be false`);
    if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory)
      problem(w, `${where}: needs cpu and memory requests`);
    const env = environment(w, c);
    const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === "/tmp");
    const tmpVolume = tmp && (pod.volumes ?? []).find((v) => v.name === tmp.name);
    if (!tmpVolume?.emptyDir) problem(w, `${where}: /tmp must be an emptyDir (read-only root)`);
    if (env.TASKS_DB_URL !== undefined) problem(w, `${where}: the database URL belongs in a Secret file (TASKS_DB_URL_FILE)`);
    if (!env.TASKS_DB_URL_FILE) problem(w, `${where}: TASKS_DB_URL_FILE is not set`);

    if (w.kind === "Job") {
      if ((c.args ?? [])[0] === "migrate") {
        const tag = imageTag(c.image ?? "").toLowerCase().replace(/[^a-z0-9.-]/g, "-");
        if (!w.metadata.name.endsWith(`-${tag}`))
          problem(w, `a migration Job is named by its version: the name must end with -${tag}`);
      }
      continue;
    }
    // Deployments: long-running members of the cluster
    if (c.livenessProbe?.httpGet?.path !== "/health/live") problem(w, `${where}: livenessProbe must GET /health/live`);
    if (c.readinessProbe?.httpGet?.path !== "/health/ready") problem(w, `${where}: readinessProbe must GET /health/ready`);
    if (env.TASKS_MIGRATE !== "never") problem(w, `${where}: TASKS_MIGRATE must be never (the migration Job migrates)`);
    if (!["http", "worker"].includes(env.TASKS_ROLE)) problem(w, `${where}: TASKS_ROLE must be http or worker`);
    if (env.TASKS_CLUSTER === "true") {
      const host = env.TASKS_CLUSTER_HOST;
      const viaPodIp = host === "$(POD_IP)" && env.POD_IP === "fieldRef:status.podIP";
      if (!viaPodIp && host !== "fieldRef:status.podIP")
        problem(w, `${where}: TASKS_CLUSTER_HOST must be the pod IP (status.podIP through the downward API)`);
      if (env.TASKS_CLUSTER_DISCOVERY !== "kubernetes") {
        problem(w, `${where}: TASKS_CLUSTER_DISCOVERY must be kubernetes`);
      } else {
        const dns = env.TASKS_CLUSTER_SERVICE_DNS ?? "";
        const [service, namespace, svc] = dns.split(".");
        const target = svc === "svc" ? named("Service", namespace, service) : undefined;
        if (namespace !== ns(w) || !target)
          problem(w, `${where}: TASKS_CLUSTER_SERVICE_DNS '${dns}' must name a Service of namespace ${ns(w)} (<service>.${ns(w)}.svc.<cluster domain>)`);
        else if (target.spec?.clusterIP !== "None" || target.spec?.publishNotReadyAddresses !== true)
          problem(target, "the discovery Service must be headless (clusterIP: None) with publishNotReadyAddresses: true");
        else if (!matches(target.spec.selector, podLabels(w)))
          problem(target, `does not select the pods of ${id(w)}`);
      }
    }
  }
  if (w.kind === "Deployment" && !matches(w.spec?.selector?.matchLabels, podLabels(w)))
    problem(w, "selector does not match the pod template's labels");
}
if (versions.size > 1) problems.push(`images of several versions: ${[...versions].join(", ")}`);
if (!workloads.some((w) => w.kind === "Job" && (w.spec.template.spec.containers ?? []).some((c) => (c.args ?? [])[0] === "migrate")))
  problems.push("no migration Job (a Job running the image with the argument migrate)");

for (const o of objects) {
  if (o.kind === "Service" && o.spec?.selector && selecting(ns(o), o.spec.selector).length === 0)
    problem(o, "selects no pods");
  if (o.kind === "PodDisruptionBudget" && selecting(ns(o), o.spec?.selector?.matchLabels).length === 0)
    problem(o, "selects no pods");
  if (o.kind === "NetworkPolicy" && selecting(ns(o), o.spec?.podSelector?.matchLabels).length === 0)
    problem(o, "selects no pods");
  if (o.kind === "HorizontalPodAutoscaler") {
    const ref = o.spec?.scaleTargetRef ?? {};
    const target = named(ref.kind, ns(o), ref.name);
    if (!target) problem(o, `scales ${ref.kind}/${ref.name}, which is not defined`);
    else ownsReplicas(o, target);
    onePodPerStep(o, o.spec?.behavior, "spec.behavior");
  }
  if (o.kind === "ScaledObject") checkScaledObject(o);
}

function checkScaledObject(o) {
  const ref = o.spec?.scaleTargetRef ?? {};
  const target = named(ref.kind ?? "Deployment", ns(o), ref.name);
  if (!target) {
    problem(o, `scales ${ref.kind ?? "Deployment"}/${ref.name}, which is not defined`);
    return;
  }
  ownsReplicas(o, target);
  onePodPerStep(o, o.spec?.advanced?.horizontalPodAutoscalerConfig?.behavior, "spec.advanced.horizontalPodAutoscalerConfig.behavior");
  const queues = (target.spec.template.spec.containers ?? []).map((c) => environment(target, c).TASKS_QUEUES);
  for (const t of o.spec?.triggers ?? []) {
    if (t.type !== "metrics-api") continue;
    const m = t.metadata ?? {};
    let url;
    try {
      url = new URL(m.url);
    } catch {
      problem(o, `metrics-api url '${m.url}' is not a URL`);
      continue;
    }
    const [service, namespace] = url.hostname.split(".");
    if (namespace !== ns(o) || !named("Service", namespace, service))
      problem(o, `metrics-api url ${m.url} must name a Service of namespace ${ns(o)} by its full name (KEDA runs in its own namespace)`);
    const queue = /^\/api\/v1\/queues\/([^/]+)\/$/.exec(url.pathname)?.[1];
    if (!queue) problem(o, `metrics-api url ${m.url} must be a queue's GET /api/v1/queues/<queue>/`);
    if (m.valueLocation !== "backlog") problem(o, "metrics-api valueLocation must be backlog");
    if (t.authenticationRef && !named("TriggerAuthentication", ns(o), t.authenticationRef.name))
      problem(o, `TriggerAuthentication ${t.authenticationRef.name} is not defined`);
    if (queue) {
      const capacities = queues.map((q) => capacity(q, decodeURIComponent(queue)));
      if (capacities.some((c) => c === undefined))
        problem(o, `${id(target)} does not consume the queue ${queue} it is scaled on`);
      else if (capacities.some((c) => String(c) !== String(m.targetValue)))
        problem(o, `targetValue ${m.targetValue} must be a worker's capacity for ${queue} in TASKS_QUEUES of ${id(target)} (${capacities.join(", ")})`);
    }
  }
}

// ---- result ------------------------------------------------------------------------------------

if (problems.length > 0) {
  for (const p of new Set(problems)) console.error(`INVALID ${p}`);
  process.exit(1);
}
const kinds = {};
for (const o of objects) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
const summary = Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(", ");
console.log(`valid: ${objects.length} objects (${summary})`);
