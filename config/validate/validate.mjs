// Validates Kubernetes manifests (multi-document YAML) against the published schemas:
// Knative Serving objects with @kubernetes-models/knative (its PodSpec part is the core one),
// core objects with kubernetes-models. KServe has no model package, so for its objects the
// embedded core parts (ServingRuntime containers, InferenceService predictor containers) are
// validated as core v1 Containers; the KServe-specific fields are checked by the pytest side.
// Usage: node validate.mjs FILE...   exit 0 valid, 1 invalid (errors on stderr), 2 usage.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { Service, Configuration, Revision, Route } from "@kubernetes-models/knative/serving.knative.dev/v1";
import { Container, Pod, Service as CoreService, ConfigMap } from "kubernetes-models/v1";

const models = {
  "serving.knative.dev/v1/Service": Service,
  "serving.knative.dev/v1/Configuration": Configuration,
  "serving.knative.dev/v1/Revision": Revision,
  "serving.knative.dev/v1/Route": Route,
  "v1/Pod": Pod,
  "v1/Service": CoreService,
  "v1/ConfigMap": ConfigMap,
};

function kserveContainers(doc) {
  const spec = doc.spec ?? {};
  if (doc.kind === "ServingRuntime" || doc.kind === "ClusterServingRuntime") {
    return (spec.containers ?? []).map((c, i) => [`spec.containers[${i}]`, c]);
  }
  if (doc.kind === "InferenceService") {
    const out = [];
    for (const part of ["predictor", "transformer", "explainer"]) {
      const p = spec[part];
      if (!p) continue;
      if (p.model) out.push([`spec.${part}.model`, { name: "kserve-container", ...p.model, modelFormat: undefined, runtime: undefined, storageUri: undefined, protocolVersion: undefined }]);
      (p.containers ?? []).forEach((c, i) => out.push([`spec.${part}.containers[${i}]`, c]));
    }
    return out;
  }
  return null;
}

function check(model, data, where) {
  try {
    new model(JSON.parse(JSON.stringify(data))).validate();
    return [];
  } catch (e) {
    return [`${where}: ${e.message}`];
  }
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.mjs FILE...");
  process.exit(2);
}
let failures = 0;
for (const file of files) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  docs.forEach((parsed, index) => {
    const where = `${file} (document ${index + 1})`;
    if (parsed.errors.length) {
      console.error(`${where}: YAML: ${parsed.errors.map((e) => e.message).join("; ")}`);
      failures++;
      return;
    }
    const doc = parsed.toJS();
    if (doc === null) return;
    const key = `${doc.apiVersion}/${doc.kind}`;
    let errors;
    if (models[key]) {
      errors = check(models[key], doc, `${where} ${key}`);
    } else if (doc.apiVersion?.startsWith("serving.kserve.io/") && kserveContainers(doc)) {
      errors = kserveContainers(doc).flatMap(([path, c]) => check(Container, c, `${where} ${key} ${path}`));
    } else {
      errors = [`${where}: no schema for ${key}`];
    }
    if (errors.length) {
      errors.forEach((e) => console.error(e));
      failures++;
    } else {
      console.log(`ok ${where} ${key}`);
    }
  });
}
process.exit(failures ? 1 : 0);
