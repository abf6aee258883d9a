// Validates recorded HTTP exchanges against openapi.yaml.
//
//   node validate.mjs OPENAPI.yaml EXCHANGES.jsonl
//
// Each line of EXCHANGES is one request the integration suite made to the
// real server and the response it got (see tests/integration/harness.py).
// For each: the path and method must be documented (a 405 must match the
// path's documented 405, a 404 on an unknown path must be a Problem), the
// status must be documented for that operation, the body must match the
// documented schema for its content type, and documented required headers
// (Location, Allow) must be present. Requests that got a 2xx are checked
// against the requestBody schema too. Every (operation, status) pair the
// document lists must be produced by at least one exchange: a response the
// suite never provokes is a claim nothing checks, so it fails the run. Prints
// one line per failure, the pairs never produced, and ends with
// "N passed, N failed" (one per exchange, and one for coverage).
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const [specPath, exchangesPath] = process.argv.slice(2);
if (!specPath || !exchangesPath) {
  console.error('usage: node validate.mjs OPENAPI.yaml EXCHANGES.jsonl');
  process.exit(2);
}
const spec = YAML.parse(readFileSync(specPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'openapi');

const compiled = new Map();
function validatorFor(schema) {
  // Schemas are validated through the whole document so $refs resolve.
  if (schema.$ref) {
    const ref = 'openapi' + schema.$ref;
    if (!compiled.has(ref)) compiled.set(ref, ajv.compile({ $ref: ref }));
    return compiled.get(ref);
  }
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) {
    compiled.set(key, ajv.compile(JSON.parse(
      JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'))));
  }
  return compiled.get(key);
}

function deref(obj) {
  while (obj && obj.$ref) {
    obj = obj.$ref.slice(2).split('/').reduce((o, k) => o[k.replaceAll('~1', '/').replaceAll('~0', '~')], spec);
  }
  return obj;
}

// Path templates, literal segments first so /v1/superpositions/normalize
// wins over /v1/superpositions/{id}.
const templates = Object.keys(spec.paths).map((t) => ({
  template: t,
  params: (t.match(/\{[^}]+\}/g) || []).length,
  regex: new RegExp('^' + t.replace(/\{[^}]+\}/g, '[^/]+') + '$'),
})).sort((a, b) => a.params - b.params);

function findPath(path) {
  return templates.find((t) => t.regex.test(path));
}

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function check(x) {
  const errors = [];
  const status = String(x.status);
  const problem = () => {
    const v = validatorFor({ $ref: '#/components/schemas/Problem' });
    if (x.response_content_type !== 'application/problem+json')
      errors.push(`content type ${x.response_content_type}, expected application/problem+json`);
    if (!v(x.response_body)) errors.push(ajv.errorsText(v.errors));
  };
  const found = findPath(x.path);
  if (!found) {
    if (status !== '404') errors.push(`undocumented path (status ${status})`);
    else problem();
    return errors;
  }
  const item = spec.paths[found.template];
  const method = x.method.toLowerCase() === 'head' ? 'get' : x.method.toLowerCase();
  if (method === 'options') {
    if (status !== '204') errors.push(`OPTIONS answered ${status}, expected 204`);
    if (!x.response_headers.allow) errors.push('OPTIONS without an Allow header');
    return errors;
  }
  let op = item[method];
  if (!op) {
    if (status !== '405') return [`undocumented method ${x.method} (status ${status})`];
    op = methods.map((m) => item[m]).find((o) => o && o.responses['405']);
    if (!op) return ['a 405 on a path that documents none'];
  }
  const response = deref(op.responses[status]);
  if (!response) return [`undocumented status ${status} for ${x.method} ${found.template}`];
  for (const [name, h] of Object.entries(response.headers || {})) {
    const header = deref(h);
    if (header.required && !(name.toLowerCase() in x.response_headers))
      errors.push(`missing header ${name}`);
  }
  if (response.content && x.method.toUpperCase() !== 'HEAD') {
    const ct = (x.response_content_type || '').split(';')[0].trim();
    const media = response.content[ct];
    if (!media) {
      errors.push(`content type ${ct} not documented for ${status}`);
    } else if (media.schema) {
      const v = validatorFor(media.schema);
      if (!v(x.response_body)) errors.push('response: ' + ajv.errorsText(v.errors));
    }
  } else if (!response.content && x.response_body !== null) {
    errors.push(`status ${status} is documented without a body but had one`);
  }
  if (status.startsWith('2') && op.requestBody && x.request_body !== null) {
    const media = deref(op.requestBody).content['application/json'];
    const v = validatorFor(media.schema);
    if (!v(x.request_body)) errors.push('request: ' + ajv.errorsText(v.errors));
  }
  return errors;
}

const lines = readFileSync(exchangesPath, 'utf8').split('\n').filter(Boolean);
let passed = 0, failed = 0;
const seen = new Set();
for (const line of lines) {
  const x = JSON.parse(line);
  const errors = check(x);
  const found = findPath(x.path);
  const item = found && spec.paths[found.template];
  const method = x.method.toLowerCase() === 'head' ? 'get' : x.method.toLowerCase();
  if (item && !item[method] && x.status === 405) {
    // A 405 shows that every operation of the path documents it rightly.
    for (const m of methods) if (item[m]) seen.add(`${m.toUpperCase()} ${found.template} 405`);
  } else {
    seen.add(`${method.toUpperCase()} ${found ? found.template : x.path} ${x.status}`);
  }
  if (errors.length) {
    failed++;
    console.log(`FAIL ${x.method} ${x.path}${x.query ? '?' + x.query : ''} -> ${x.status}: ${errors.join('; ')}`);
  } else {
    passed++;
  }
}
// Which documented (operation, status) pairs the suite never produced.
const missing = [];
for (const t of templates) {
  for (const m of methods) {
    const op = spec.paths[t.template][m];
    if (!op) continue;
    for (const s of Object.keys(op.responses)) {
      if (!seen.has(`${m.toUpperCase()} ${t.template} ${s}`)) missing.push(`${m.toUpperCase()} ${t.template} ${s}`);
    }
  }
}
if (missing.length) {
  failed++;
  console.log(`FAIL not exercised (${missing.length}): ${missing.join(', ')}`);
} else {
  passed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && lines.length > 0 ? 0 : 1);
