// layer.js - the Layer and network view: run a layer written (or pasted)
// here, or a stored network; see the output, the output read as a state
// beside softmax, and with trace every layer's activations as a heat map.
import {
  h, num, barChart, heatmap, showProblem, clearErrors, readVector, readMatrix,
  matrixText, say, FieldError,
} from './ui.js';

export const ACTIVATIONS = ['identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'gelu', 'softplus', 'softmax'];
const WITH_ALPHA = ['leaky_relu', 'elu'];

// Layers with this many weights or more are sent, and answered, as
// binary (base64 doubles): psinet decodes those in one pass.
export const BINARY_FROM = 1024;

let lab;
let api;
let networks = [];
const withWeights = new Map(); // network id -> the network with its weights

const $ = (id) => document.getElementById(id);

/** Fills every activation <select> of root, and shows each one's alpha
 * field (the .alpha beside it) only for the activations that take it. */
export function setUpActivations(root) {
  for (const select of root.querySelectorAll('select[data-pointer$="activation"]')) {
    select.replaceChildren(...ACTIVATIONS.map((a) => h('option', { value: a }, a)));
    select.value = select.dataset.default || 'relu';
    const alpha = select.closest('.fields').querySelector('.alpha');
    const update = () => { alpha.hidden = !WITH_ALPHA.includes(select.value); };
    select.addEventListener('change', update);
    update();
  }
}

/** The layer written in the fields named by prefix (layer-, ls-, na-):
 * {weights, bias?, activation, params?}. */
export function readLayer(prefix) {
  const weights = readMatrix($(`${prefix}weights`));
  const bias = readVector($(`${prefix}bias`));
  const activation = $(`${prefix}activation`).value;
  const layer = { weights: weights === null ? undefined : weights, activation };
  if (bias !== null) layer.bias = bias;
  const alphaField = $(`${prefix}alpha`);
  const alpha = alphaField.value.trim();
  if (WITH_ALPHA.includes(activation) && alpha !== '') {
    const x = Number(alpha);
    layer.params = { alpha: Number.isFinite(x) ? x : alpha };
  }
  return layer;
}

function mode() {
  return document.querySelector('input[name="layer-mode"]:checked').value;
}

function countWeights(weights) {
  return Array.isArray(weights) ? weights.reduce((n, row) => n + (Array.isArray(row) ? row.length : 1), 0) : 0;
}

// Whether every entry is a number (and every row as long as the first),
// so that the binary form can carry it.
function numeric(value) {
  if (!Array.isArray(value) || value.length === 0) return false;
  if (Array.isArray(value[0])) {
    return value.every((row) => Array.isArray(row) && row.length === value[0].length && numeric(row));
  }
  return value.every((x) => typeof x === 'number');
}

// ------------------------------------------------------------------ running

async function run(event) {
  event.preventDefault();
  const form = $('layer-form');
  clearErrors(form);
  say($('layer-status'), '');
  try {
    const input = readVector($('layer-input'));
    if (mode() === 'layer') await runLayer(input);
    else await runNetwork(input);
  } catch (e) {
    showProblem(form, e);
  }
}

async function runLayer(input) {
  const layer = readLayer('layer-');
  const binary = countWeights(layer.weights) >= BINARY_FROM && numeric(layer.weights) &&
    numeric(input) && (!layer.bias || numeric(layer.bias));
  const res = await api.forwardLayer(layer, input ?? undefined, { binary });
  // softmax(z): the same layer with softmax as its activation.
  const soft = await api.forwardLayer({ ...layer, activation: 'softmax', params: undefined }, input, { binary });
  await showOutput(res.pre_activation, res.output, soft.output);
  $('trace-card').hidden = true;
  say($('layer-status'), `Ran a layer of ${res.output.length} neurons on ${input.length} inputs${binary ? ' (sent and answered as binary doubles)' : ''}.`);
}

async function runNetwork(input) {
  const id = $('network-select').value;
  if (!id) throw new FieldError($('network-select'), 'store a network first, or pick one');
  // Traced: the last layer's input is needed for softmax(z) too.
  const res = await api.forwardNetwork(id, input ?? undefined, { trace: true });
  const net = await networkWithWeights(id);
  const last = net.layers[net.layers.length - 1];
  const lastInput = res.layers.length > 1 ? res.layers[res.layers.length - 2].output : input;
  const soft = await api.forwardLayer({ weights: last.weights, bias: last.bias ?? undefined, activation: 'softmax' }, lastInput);
  const lastOut = res.layers[res.layers.length - 1];
  await showOutput(lastOut.pre_activation, res.output, soft.output);
  const traceCard = $('trace-card');
  traceCard.hidden = !$('network-trace').checked;
  if (!traceCard.hidden) {
    heatmap($('trace-map'), [
      { label: 'input x', values: input },
      ...res.layers.map((l, i) => ({ label: `layer ${i + 1}: ${net.layers[i].activation}`, values: l.output })),
    ], { caption: `Activations of ${net.name || net.id}, layer by layer` });
  }
  say($('layer-status'), `Ran ${net.name || net.id}: ${net.layers.length} ${net.layers.length === 1 ? 'layer' : 'layers'}.`);
}

// The output chart and table, then the output read as a state beside
// softmax(z).
async function showOutput(z, a, softmax) {
  const labels = a.map((_, j) => String(j));
  barChart($('chart-output'), {
    labels,
    datasets: [{ label: 'output a', data: a }],
    xTitle: 'neuron',
  });
  $('output-table').tBodies[0].replaceChildren(...a.map((x, j) => h('tr', {},
    h('th', { scope: 'row' }, String(j)), h('td', {}, num(z[j])), h('td', {}, num(x)))));
  let born = null;
  const note = $('born-note');
  say(note, '');
  try {
    born = (await api.normalize(a, { binary: a.length >= BINARY_FROM })).probabilities;
  } catch (e) {
    if (e.status !== 422) throw e;
    say(note, `The output is no state: ${e.detail}`);
  }
  const datasets = [];
  if (born) datasets.push({ label: 'Born |ψ_j|²', data: born });
  datasets.push({ label: 'softmax(z)_j', data: softmax, color: '#d97706' });
  barChart($('chart-born'), { labels, datasets, yMin: 0, yTitle: 'probability', xTitle: 'neuron' });
  $('born-table').tBodies[0].replaceChildren(...a.map((_, j) => h('tr', {},
    h('th', { scope: 'row' }, String(j)), h('td', {}, num(born ? born[j] : null)), h('td', {}, num(softmax[j])))));
}

async function networkWithWeights(id) {
  if (!withWeights.has(id)) withWeights.set(id, await api.getNetwork(id, { weights: true }));
  return withWeights.get(id);
}

// ------------------------------------------------------------------ networks

async function loadNetworks() {
  try {
    const page = await api.listNetworks({ limit: 100 });
    networks = page.items;
  } catch (e) {
    networks = [];
    if (mode() === 'network') showProblem($('layer-form'), e, { focus: false });
  }
  const select = $('network-select');
  const was = select.value;
  select.replaceChildren(...(networks.length
    ? networks.map((n) => h('option', { value: n.id }, describe(n)))
    : [h('option', { value: '' }, '(none stored yet)')]));
  if (networks.some((n) => n.id === was)) select.value = was;
  summarize();
  lab.emit('networks', networks);
}

/** "name: 2 → 2 → 1 (relu, identity)" */
export function describe(n) {
  const sizes = [n.input_size, ...n.layers.map((l) => l.outputs)].join(' → ');
  return `${n.name || n.id}: ${sizes} (${n.layers.map((l) => l.activation).join(', ')})`;
}

function summarize() {
  const n = networks.find((x) => x.id === $('network-select').value);
  say($('network-summary'), n ? `${n.id} · ${n.parameters} parameters · input of ${n.input_size}` : '');
}

async function storeNetwork() {
  const box = $('network-json').closest('details');
  clearErrors(box);
  let body;
  try {
    body = JSON.parse($('network-json').value);
  } catch (e) {
    showProblem(box, new FieldError($('network-json'), `not JSON: ${e.message}`));
    return;
  }
  try {
    const net = await api.createNetwork(body);
    await loadNetworks();
    $('network-select').value = net.id;
    summarize();
    say($('layer-status'), `Stored network ${net.id}.`);
  } catch (e) {
    showProblem(box, e);
  }
}

async function saveLayer() {
  const form = $('layer-form');
  clearErrors(form);
  say($('layer-status'), '');
  try {
    const net = await api.createNetwork({ layers: [readLayer('layer-')] });
    await loadNetworks();
    say($('layer-status'), `Stored as network ${net.id}; pick "a stored network" to run it.`);
  } catch (e) {
    // The layer's fields are /layers/0/... of this request.
    showProblem(form, e, { map: (p) => (p.startsWith('/input') ? p : `/layers/0${p}`) });
  }
}

// Uniform weights in [-1, 1], with a bias and an input to match.
function fillRandom() {
  const rows = Math.max(1, Math.min(1024, Number($('random-rows').value) || 1));
  const cols = Math.max(1, Math.min(1024, Number($('random-cols').value) || 1));
  const r = () => Math.round((Math.random() * 2 - 1) * 1e6) / 1e6;
  const weights = Array.from({ length: rows }, () => Array.from({ length: cols }, r));
  $('layer-weights').value = matrixText(weights);
  $('layer-bias').value = Array.from({ length: rows }, r).join(', ');
  $('layer-input').value = Array.from({ length: cols }, r).join(', ');
  say($('layer-status'), `Filled a random layer of ${rows} × ${cols} weights.`);
}

function switchMode() {
  const m = mode();
  $('layer-fields').hidden = m !== 'layer';
  $('network-fields').hidden = m !== 'network';
  $('layer-save').hidden = m !== 'layer';
  clearErrors($('layer-form'));
}

export function init(theLab) {
  lab = theLab;
  api = lab.api;
  setUpActivations($('view-layer'));
  for (const radio of document.querySelectorAll('input[name="layer-mode"]')) radio.addEventListener('change', switchMode);
  $('layer-form').addEventListener('submit', run);
  $('layer-save').addEventListener('click', saveLayer);
  $('network-store').addEventListener('click', storeNetwork);
  $('networks-refresh').addEventListener('click', loadNetworks);
  $('network-select').addEventListener('change', summarize);
  $('random-fill').addEventListener('click', fillRandom);
  lab.on('key', () => {
    loadNetworks();
    run(new Event('submit'));
  });
  loadNetworks();
  // Show the starting layer's answer at once.
  run(new Event('submit'));
}
