// Validates recorded HTTP exchanges against openapi.yaml, and checks that
// together they produce every response the document lists.
//
//   node validate.mjs OPENAPI.yaml EXCHANGES.jsonl
//
// Each line of EXCHANGES is one request the integration suite made to the
// real server and the answer it got (see tests/integration/harness.py).
// Every schema check is ajv's (JSON Schema 2020-12, OpenAPI 3.1's dialect),
// on the schemas of the document itself. For each exchange:
//
// - Operation: the path is matched against the templates of `paths`
//   (literal segments win over {id}, as in the server) and the method names
//   the operation. A path that no template matches is answered as the
//   document's `x-psinet-unknown-path` says. A method that the path does not
//   list must get a 405, checked against the 405 of the path's operations,
//   or (with --auth-reads, without the API key, which hides every route) a
//   401, checked against the 401 of the path's operations.
// - Status: it must be one the operation (or x-psinet-unknown-path) lists.
// - Headers: each header the response documents as required must be there,
//   and each documented header that is there must match its schema (a
//   header is text: ajv coerces it to the schema's type, as for Retry-After).
// - Body: it must match the schema documented for its Content-Type; a
//   response documented without content must have no body. A media type
//   with `x-psinet-item-schema` (NDJSON) is text whose every line must be
//   JSON that matches that schema. An answer to
//   HEAD never has a body (RFC 9110, section 9.3.2): its Content-Type must
//   still be a documented one.
// - Request: when the answer is a 2xx the server took the request, so it
//   must be one the document describes: its path and query parameters match
//   their schemas (required ones present, none undocumented; values coerced
//   from text like headers), and its body matches requestBody (present when
//   required, sent as a documented media type).
//
// Coverage: every (operation, status) that the document lists, and every
// status of x-psinet-unknown-path, must be produced by at least one exchange;
// a 405 counts for each operation of its path that lists 405. A response
// object marked `x-psinet-untestable: REASON` is exempt (the 500
// InternalError: no request makes psinet fail inside on purpose); it is
// still checked when it does occur.
//
// Prints one line per failure, then the responses never produced, then
// "N passed, N failed": one per exchange, and one for coverage. The exit
// status is 0 only when everything passed.
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

// Bodies are validated as they are; parameters and headers, which are text
// on the wire, with type coercion.
function makeAjv(coerceTypes) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes });
  addFormats(ajv);
  ajv.addSchema(spec, 'openapi');
  return ajv;
}
const ajvBody = makeAjv(false);
const ajvText = makeAjv(true);

// Schemas are compiled against the whole document so that their $refs
// resolve; the result is cached per schema.
const compiled = new Map();
function rooted(schema) {
  return JSON.parse(JSON.stringify(schema)
    .replaceAll('"#/components/', '"openapi#/components/'));
}
function bodyValidator(schema) {
  const key = 'body ' + JSON.stringify(schema);
  if (!compiled.has(key)) compiled.set(key, ajvBody.compile(rooted(schema)));
  return compiled.get(key);
}
// Returns null when the text value matches schema, else ajv's message.
function checkText(schema, value) {
  const key = 'text ' + JSON.stringify(schema);
  if (!compiled.has(key)) {
    compiled.set(key, ajvText.compile(rooted({
      type: 'object', required: ['value'], properties: { value: schema },
    })));
  }
  const v = compiled.get(key);
  if (v({ value })) return null;
  const errors = v.errors.map((e) => ({ ...e, instancePath: e.instancePath.replace(/^\/value/, '') }));
  return ajvText.errorsText(errors, { dataVar: 'value' });
}

function deref(obj) {
  while (obj && obj.$ref) {
    obj = obj.$ref.slice(2).split('/')
      .reduce((o, k) => o[k.replaceAll('~1', '/').replaceAll('~0', '~')], spec);
  }
  return obj;
}

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const UNKNOWN = '<unknown path>';
const unknownPath = spec['x-psinet-unknown-path'];
if (!unknownPath || !unknownPath.responses) {
  console.error('openapi.yaml has no x-psinet-unknown-path.responses');
  process.exit(2);
}

// Path templates, literal segments first so /v1/superpositions/normalize
// wins over /v1/superpositions/{id}.
const templates = Object.keys(spec.paths).map((t) => ({
  template: t,
  params: (t.match(/\{[^}]+\}/g) || []).length,
  regex: new RegExp('^' + t.replace(/[.]/g, '\\.')
    .replace(/\{([^}]+)\}/g, '(?<$1>[^/]+)') + '$'),
})).sort((a, b) => a.params - b.params);

function findPath(path) {
  for (const t of templates) {
    const m = t.regex.exec(path);
    if (m) return { ...t, values: m.groups || {} };
  }
  return null;
}

// The parameters of op: the path item's, overridden by the operation's.
function parametersOf(item, op) {
  const byKey = new Map();
  for (const p of [...(item.parameters || []), ...(op.parameters || [])]) {
    const param = deref(p);
    byKey.set(`${param.in} ${param.name}`, param);
  }
  return [...byKey.values()];
}

function checkParameters(x, found, item, op, errors) {
  const query = new URLSearchParams(x.query || '');
  const params = parametersOf(item, op);
  for (const p of params) {
    let value;
    if (p.in === 'path') {
      try {
        value = decodeURIComponent(found.values[p.name]);
      } catch {
        errors.push(`path parameter ${p.name}: not valid percent-encoding`);
        continue;
      }
    } else if (p.in === 'query') {
      // A parameter whose schema is an array (style form, explode) is
      // repeated for its values; any other must come at most once.
      const values = query.getAll(p.name);
      const schema = deref(p.schema) || {};
      if (schema.type === 'array') {
        value = values.length ? values : undefined;
      } else {
        if (values.length > 1) errors.push(`request: query parameter ${p.name} given ${values.length} times`);
        value = values.length ? values[0] : undefined;
      }
    } else {
      continue; // psinet documents no header or cookie parameters
    }
    if (value === undefined) {
      if (p.required) errors.push(`request: required ${p.in} parameter ${p.name} missing`);
      continue;
    }
    const problem = checkText(p.schema, value);
    if (problem) errors.push(`request: ${p.in} parameter ${p.name}=${JSON.stringify(value)}: ${problem}`);
  }
  const known = new Set(params.filter((p) => p.in === 'query').map((p) => p.name));
  for (const name of new Set(query.keys())) {
    if (!known.has(name)) errors.push(`request: undocumented query parameter ${name}`);
  }
}

function checkRequestBody(x, op, errors) {
  if (!op.requestBody) {
    if (x.request_body !== null) errors.push('request: a body the operation does not describe');
    return;
  }
  const rb = deref(op.requestBody);
  if (x.request_body === null) {
    if (rb.required) errors.push('request: the required body is missing');
    return;
  }
  const ct = (x.request_content_type || '').split(';')[0].trim().toLowerCase();
  const media = rb.content[ct];
  if (!media) {
    errors.push(`request: sent as ${ct || 'no media type'}, not a documented one`);
    return;
  }
  const v = bodyValidator(media.schema);
  if (!v(x.request_body)) errors.push('request: ' + ajvBody.errorsText(v.errors));
}

function checkResponse(x, response, errors) {
  for (const [name, h] of Object.entries(response.headers || {})) {
    const header = deref(h);
    const value = x.response_headers[name.toLowerCase()];
    if (value === undefined) {
      if (header.required) errors.push(`missing header ${name}`);
      continue;
    }
    const problem = checkText(header.schema, value);
    if (problem) errors.push(`header ${name}: ${JSON.stringify(value)}: ${problem}`);
  }
  const ct = (x.response_content_type || '').split(';')[0].trim().toLowerCase();
  if (x.method.toUpperCase() === 'HEAD') {
    if (x.response_body !== null) errors.push('an answer to HEAD with a body');
    if (response.content && !response.content[ct])
      errors.push(`content type ${ct || 'none'} not documented for ${x.status}`);
    return;
  }
  if (!response.content) {
    if (x.response_body !== null) errors.push(`status ${x.status} is documented without a body but had one`);
    return;
  }
  const media = response.content[ct];
  if (!media) {
    errors.push(`content type ${ct || 'none'} not documented for ${x.status}`);
  } else if (media['x-psinet-item-schema']) {
    // no lines at all is an empty body, recorded as null
    const text = x.response_body === null ? '' : x.response_body;
    if (typeof text !== 'string') errors.push('response: lines of JSON must be text');
    else checkLines(text, media['x-psinet-item-schema'], errors);
  } else if (media.schema) {
    const v = bodyValidator(media.schema);
    if (!v(x.response_body)) errors.push('response: ' + ajvBody.errorsText(v.errors));
  }
}

// A body of JSON lines (NDJSON): each line, ended by a newline, must be a
// JSON value that matches the item schema.
function checkLines(text, schema, errors) {
  if (text !== '' && !text.endsWith('\n')) errors.push('response: the last line has no newline');
  const v = bodyValidator(schema);
  text.split('\n').slice(0, -1).forEach((line, i) => {
    let item;
    try {
      item = JSON.parse(line);
    } catch (e) {
      errors.push(`response: line ${i + 1} is not JSON`);
      return;
    }
    if (!v(item)) errors.push(`response: line ${i + 1}: ` + ajvBody.errorsText(v.errors));
  });
}

// Checks exchange x; returns its errors, and adds the (operation, status)
// pairs it produced to seen.
function check(x, seen) {
  const errors = [];
  const status = String(x.status);
  const method = x.method.toLowerCase();
  const found = findPath(x.path);
  if (!found) {
    const response = deref(unknownPath.responses[status]);
    if (!response) return [`status ${status} for a path that matches no template is not in x-psinet-unknown-path`];
    seen.add(`* ${UNKNOWN} ${status}`);
    checkResponse(x, response, errors);
    return errors;
  }
  const item = spec.paths[found.template];
  const op = item[method];
  if (!op) {
    // A method the path does not list: the path's 405, or the 401 of a
    // path hidden without the key.
    if (status !== '405' && status !== '401') return [`undocumented method ${x.method} on ${found.template} (status ${status})`];
    const listing = methods.filter((m) => item[m] && item[m].responses[status]);
    if (!listing.length) return [`a ${status} on ${found.template}, whose operations document none`];
    for (const m of listing) {
      if (status === '405') seen.add(`${m.toUpperCase()} ${found.template} 405`);
      checkResponse(x, deref(item[m].responses[status]), errors);
    }
    return [...new Set(errors)];
  }
  const response = deref(op.responses[status]);
  if (!response) return [`undocumented status ${status} for ${x.method} ${found.template}`];
  seen.add(`${method.toUpperCase()} ${found.template} ${status}`);
  checkResponse(x, response, errors);
  if (status.startsWith('2')) {
    checkParameters(x, found, item, op, errors);
    checkRequestBody(x, op, errors);
  }
  return errors;
}

const lines = readFileSync(exchangesPath, 'utf8').split('\n').filter(Boolean);
let passed = 0, failed = 0;
const seen = new Set();
for (const line of lines) {
  const x = JSON.parse(line);
  const errors = check(x, seen);
  if (errors.length) {
    failed++;
    console.log(`FAIL ${x.method} ${x.path}${x.query ? '?' + x.query : ''} -> ${x.status}: ${errors.join('; ')}`);
  } else {
    passed++;
  }
}
console.log(`exchanges: ${passed} valid, ${failed} invalid, of ${lines.length}`);

// Coverage: which documented responses no exchange produced.
const documented = [];
for (const t of templates) {
  for (const m of methods) {
    const op = spec.paths[t.template][m];
    if (!op) continue;
    for (const [s, r] of Object.entries(op.responses))
      documented.push({ key: `${m.toUpperCase()} ${t.template} ${s}`, response: deref(r) });
  }
}
for (const [s, r] of Object.entries(unknownPath.responses))
  documented.push({ key: `* ${UNKNOWN} ${s}`, response: deref(r) });
const exempt = documented.filter((d) => d.response['x-psinet-untestable']);
const required = documented.filter((d) => !d.response['x-psinet-untestable']);
const missing = required.filter((d) => !seen.has(d.key)).map((d) => d.key);
console.log(`coverage: ${required.length - missing.length} of ${required.length} documented responses produced` +
  ` (${exempt.length} exempt as x-psinet-untestable, ${exempt.filter((d) => seen.has(d.key)).length} of them produced)`);
if (missing.length) {
  failed++;
  console.log(`FAIL not exercised (${missing.length}): ${missing.join(', ')}`);
} else {
  passed++;
}
if (lines.length === 0) {
  failed++;
  console.log('FAIL no exchanges recorded');
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
