// psinet.js - a small client for psinet's JSON API.
//
// The lab page (web/, served by psinet at /) is built on it alone; copy it
// into your own front-end as it is. It needs only what browsers (and
// Node.js 18 or later) have: fetch, btoa and atob.
//
//   import { Psinet, PsinetError } from './psinet.js';
//   const api = new Psinet({ base: 'http://localhost:8080' });
//   const s = await api.normalize([3, 4]);
//   // {amplitudes: [[0.6, 0], [0.8, 0]], norm: 5, probabilities: [0.36, 0.64...]}
//
// Every method resolves to psinet's answer, parsed (null for a 204), or
// rejects with a PsinetError carrying the RFC 9457 problem psinet answered:
// its status, title, detail and, for a 422, `errors`, each a
// {pointer, message} whose JSON Pointer names the field of the request
// that was wrong.
//
// Arrays of numbers may travel as JSON or in psinet's binary form,
// {b64, shape}: the standard base64 of the little-endian IEEE-754 doubles.
// vectorToB64, matrixToB64, amplitudesToB64 and fromB64 convert, for arrays
// of any size (the one-liner
// btoa(String.fromCharCode(...bytes)) throws for 16,384 doubles or more:
// no engine takes that many arguments). With {binary: true}, the compute
// methods send their arrays that way, ask for answers that way
// ("encoding": "b64") and give back plain arrays all the same.

/** An error answer of psinet (application/problem+json). */
export class PsinetError extends Error {
  constructor(status, problem) {
    const p = problem || {};
    super(p.detail || p.title || `HTTP ${status}`);
    this.name = 'PsinetError';
    this.status = status;
    this.type = p.type || null;
    this.title = p.title || null;
    this.detail = p.detail || null;
    this.errors = Array.isArray(p.errors) ? p.errors : [];
    this.problem = p;
  }
}

// ------------------------------------------------------------------ base64

// Bytes per String.fromCharCode call: far below any engine's limit on the
// number of arguments (V8's is near 120,000; JavaScriptCore's 65,536).
const CHUNK = 8192;

/** The standard base64 (RFC 4648) of a Uint8Array, of any length. */
export function bytesToBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK));
  }
  return btoa(text);
}

/** The bytes of standard base64 text, as a Uint8Array. */
export function base64ToBytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The little-endian IEEE-754 bytes of numbers (whatever the machine's
 * own byte order). */
export function float64ToBytes(numbers) {
  const bytes = new Uint8Array(numbers.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < numbers.length; i++) view.setFloat64(i * 8, numbers[i], true);
  return bytes;
}

/** The doubles of little-endian IEEE-754 bytes, as a Float64Array. */
export function bytesToFloat64(bytes) {
  if (bytes.length % 8 !== 0) throw new RangeError(`${bytes.length} bytes are not whole doubles`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/** psinet's binary form of a vector (numbers, or a Float64Array): shape [n]. */
export function vectorToB64(numbers) {
  if (numbers.length === 0) throw new RangeError('an empty vector');
  return { b64: bytesToBase64(float64ToBytes(numbers)), shape: [numbers.length] };
}

/** The binary form of a matrix (rows of equal length): shape [rows, cols],
 * row-major. */
export function matrixToB64(rows) {
  if (rows.length === 0) throw new RangeError('a matrix with no rows');
  const cols = rows[0].length;
  const flat = new Float64Array(rows.length * cols);
  rows.forEach((row, r) => {
    if (row.length !== cols) throw new RangeError(`row ${r} has ${row.length} entries, row 0 has ${cols}`);
    flat.set(row, r * cols);
  });
  return { b64: bytesToBase64(float64ToBytes(flat)), shape: [rows.length, cols] };
}

/** The binary form of amplitudes (numbers are real, [re, im] pairs
 * complex): psinet reads amplitudes as complex, so every one becomes a
 * pair, interleaved: 2n doubles with shape [n]. */
export function amplitudesToB64(amplitudes) {
  if (amplitudes.length === 0) throw new RangeError('no amplitudes');
  const flat = new Float64Array(amplitudes.length * 2);
  for (let i = 0; i < amplitudes.length; i++) {
    const a = amplitudes[i];
    flat[2 * i] = typeof a === 'number' ? a : a[0];
    flat[2 * i + 1] = typeof a === 'number' ? 0 : a[1];
  }
  return { b64: bytesToBase64(float64ToBytes(flat)), shape: [amplitudes.length] };
}

/**
 * Plain arrays from psinet's binary form: shape [n] with n doubles is a
 * vector, with 2n doubles complex amplitudes ([re, im] pairs, as the JSON
 * form has them); shape [rows, cols] a matrix. Anything that is not
 * {b64, shape} is returned as it is.
 */
export function fromB64(value) {
  if (!value || typeof value !== 'object' || typeof value.b64 !== 'string' || !Array.isArray(value.shape)) {
    return value;
  }
  const numbers = bytesToFloat64(base64ToBytes(value.b64));
  const [n, cols] = value.shape;
  if (value.shape.length === 2) {
    if (numbers.length !== n * cols) throw new RangeError('shape and data disagree');
    const rows = [];
    for (let r = 0; r < n; r++) rows.push(Array.from(numbers.subarray(r * cols, (r + 1) * cols)));
    return rows;
  }
  if (numbers.length === n) return Array.from(numbers);
  if (numbers.length === 2 * n) {
    const pairs = [];
    for (let i = 0; i < n; i++) pairs.push([numbers[2 * i], numbers[2 * i + 1]]);
    return pairs;
  }
  throw new RangeError('shape and data disagree');
}

// Every {b64, shape} inside an answer, made plain arrays.
function plain(value) {
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    if (typeof value.b64 === 'string' && Array.isArray(value.shape)) return fromB64(value);
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

// ------------------------------------------------------------------ client

/** A psinet server: base is its URL ('' for the page's own origin), key
 * its API key or null. */
export class Psinet {
  constructor({ base = '', key = null, fetch: fetchFn = null } = {}) {
    this.base = base.replace(/\/+$/, '');
    this.key = key;
    this.fetch = fetchFn || globalThis.fetch.bind(globalThis);
  }

  /** Sends one request; body (when not undefined) as JSON. query: an
   * object whose null, undefined and '' values are left out. */
  async request(method, path, body, query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query || {})) {
      if (v !== null && v !== undefined && v !== '') params.append(k, String(v));
    }
    const qs = params.toString();
    const headers = { Accept: 'application/json' };
    if (this.key) headers.Authorization = `Bearer ${this.key}`;
    const init = { method, headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await this.fetch(this.base + path + (qs ? `?${qs}` : ''), init);
    if (response.status === 204) return null;
    const type = response.headers.get('Content-Type') || '';
    const data = type.includes('json') && !type.includes('ndjson') ? await response.json() : await response.text();
    if (!response.ok) throw new PsinetError(response.status, typeof data === 'object' ? data : { detail: data });
    return data;
  }

  // --- the service
  version() { return this.request('GET', '/version'); }

  // --- stateless computations
  /** amplitudes: numbers (real) and [re, im] pairs (complex). */
  async normalize(amplitudes, { binary = false } = {}) {
    if (!binary) return this.request('POST', '/v1/superpositions/normalize', { amplitudes });
    return plain(await this.request('POST', '/v1/superpositions/normalize', {
      amplitudes: amplitudesToB64(amplitudes), encoding: 'b64',
    }));
  }

  /** layer: {weights, bias?, activation, params?}; input: a vector. */
  async forwardLayer(layer, input, { binary = false } = {}) {
    const body = { ...layer, input };
    if (!binary) return this.request('POST', '/v1/layers/forward', body);
    body.weights = matrixToB64(layer.weights);
    if (layer.bias) body.bias = vectorToB64(layer.bias);
    body.input = vectorToB64(input);
    body.encoding = 'b64';
    return plain(await this.request('POST', '/v1/layers/forward', body));
  }

  // --- superpositions
  createSuperposition(state) { return this.request('POST', '/v1/superpositions', state); }
  listSuperpositions({ limit, cursor } = {}) {
    return this.request('GET', '/v1/superpositions', undefined, { limit, cursor });
  }
  getSuperposition(id) { return this.request('GET', `/v1/superpositions/${encodeURIComponent(id)}`); }
  normalizeSuperposition(id) {
    return this.request('POST', `/v1/superpositions/${encodeURIComponent(id)}/normalize`);
  }
  /** {shots, seed?, qubits?, memory?}: counts by label (over qubits, the
   * first listed rightmost, with their marginal probabilities, when they
   * are given); the seed used comes back too, and with memory each shot's
   * outcome in order. */
  measure(id, { shots, seed, qubits, memory } = {}) {
    const body = { shots };
    if (seed !== undefined && seed !== null) body.seed = seed;
    if (qubits !== undefined && qubits !== null) body.qubits = qubits;
    if (memory) body.memory = true;
    return this.request('POST', `/v1/superpositions/${encodeURIComponent(id)}/measure`, body);
  }
  deleteSuperposition(id) { return this.request('DELETE', `/v1/superpositions/${encodeURIComponent(id)}`); }

  // --- quantum operations. A state a request names (state, a, b) is
  // {id} (stored), {amplitudes} or {basis: '01'}. Qubit q is bit q of the
  // basis index: qubit 0 is the rightmost character of a label.
  /** Applies operations ([{gate, qubits, params?}] or {gate: 'unitary',
   * qubits, matrix}) in order to state. options: store, name, atol,
   * summary. A stored state's result is stored (its parent that state)
   * unless store is false. */
  applyOperations(state, operations, options = {}) {
    return this.request('POST', '/v1/superpositions/apply', { state, operations, ...options });
  }
  /** Measures once and keeps the state after it: {outcome, qubits,
   * probability, seed, state}. body: {qubits?, seed?, store?, name?}. */
  collapse(id, body = {}) {
    return this.request('POST', `/v1/superpositions/${encodeURIComponent(id)}/collapse`, body);
  }
  /** This state, its parent, and so on back to the first: {items,
   * complete, missing}. */
  lineage(id) { return this.request('GET', `/v1/superpositions/${encodeURIComponent(id)}/lineage`); }
  /** Inner product, fidelity, trace distance and phase of a and b. */
  compare(a, b, options = {}) {
    return this.request('POST', '/v1/superpositions/compare', { a, b, ...options });
  }
  /** a ⊗ b (b's qubits lowest). options: store, name. */
  tensor(a, b, options = {}) {
    return this.request('POST', '/v1/superpositions/tensor', { a, b, ...options });
  }
  /** ⟨ψ|P|ψ⟩ for each Pauli string ('ZZ', 'XI', ...; the last character
   * acts on qubit 0). */
  expectation(state, paulis) {
    return this.request('POST', '/v1/superpositions/expectation', { state, paulis });
  }

  // --- networks
  createNetwork(network) { return this.request('POST', '/v1/networks', network); }
  listNetworks({ limit, cursor } = {}) {
    return this.request('GET', '/v1/networks', undefined, { limit, cursor });
  }
  getNetwork(id, { weights = false } = {}) {
    return this.request('GET', `/v1/networks/${encodeURIComponent(id)}`, undefined,
      { include: weights ? 'weights' : null });
  }
  async forwardNetwork(id, input, { trace = false, binary = false } = {}) {
    const path = `/v1/networks/${encodeURIComponent(id)}/forward`;
    if (!binary) return this.request('POST', path, { input, trace });
    return plain(await this.request('POST', path, { input: vectorToB64(input), trace, encoding: 'b64' }));
  }
  deleteNetwork(id) { return this.request('DELETE', `/v1/networks/${encodeURIComponent(id)}`); }

  // --- experiments
  /** {name, kind, params, tags?, notes?} */
  createExperiment(experiment) { return this.request('POST', '/v1/experiments', experiment); }
  /** Filters: kind, tag, name (a substring), created_after, created_before
   * (RFC 3339); limit and cursor page. */
  listExperiments(filters = {}) { return this.request('GET', '/v1/experiments', undefined, filters); }
  /** Every experiment that passes the list's filters (kind, tag, name,
   * created_after, created_before; no pages), as the text of an NDJSON
   * (format 'ndjson') or CSV ('csv') file. */
  exportExperiments(filters = {}, format = 'ndjson') {
    const { limit, cursor, ...rest } = filters; // eslint-disable-line no-unused-vars
    return this.request('GET', '/v1/experiments/export', undefined, { ...rest, format });
  }
  getExperiment(id) { return this.request('GET', `/v1/experiments/${encodeURIComponent(id)}`); }
  /** patch: any of name, notes (null clears), tags. */
  updateExperiment(id, patch) {
    return this.request('PATCH', `/v1/experiments/${encodeURIComponent(id)}`, patch);
  }
  deleteExperiment(id) { return this.request('DELETE', `/v1/experiments/${encodeURIComponent(id)}`); }
  /** Recomputes a stored experiment from its params and seed: {identical,
   * difference: {pointer, stored, recomputed} or null, inputs, summary}. */
  rerunExperiment(id) { return this.request('POST', `/v1/experiments/${encodeURIComponent(id)}/rerun`); }
}
