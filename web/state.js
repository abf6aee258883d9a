// state.js - the State view: edit amplitudes and labels, normalize, see
// the Born probabilities and the phases, store states, list and open them,
// measure them (all of them, or some qubits), and the operations on the
// open one (operations.js: gates, collapse, lineage).
import {
  h, num, complexNum, barChart, showProblem, clearErrors, readVector, FieldError,
  defaultLabels, time, say,
} from './ui.js';
import { OPERATIONS } from './operations.js';

/**
 * Operations on the open stored state, shown under "Operations" once a
 * state is open. Each is {title, render(container, state, lab)}: it draws
 * its form into container for the state ({id, amplitudes, labels, ...} as
 * psinet answered it) and calls lab.emit('state', answer) with a stored
 * state psinet returns, which the view then opens, or lab.emit('show',
 * {state, which}) with one it did not store, which the view shows.
 */
export const STATE_OPERATIONS = [...OPERATIONS];

const PRESETS = {
  1: { amplitudes: [1, 1] },
  2: { amplitudes: [1, 0, 0, 1] },
  '00': { amplitudes: [1, 0, 0, 0] },
  3: { amplitudes: [1, 1, 1, 1, 1, 1, 1, 1] },
  i: { amplitudes: [1, [0, 1]] },
};

let lab;
let api;
let opened = null; // the stored state shown and measured, or null
let listCursor = null;

const $ = (id) => document.getElementById(id);

// ------------------------------------------------------------------ the editor

function addRow(label = '', re = '', im = '') {
  const rows = $('amp-rows');
  const i = rows.children.length;
  const tr = h('tr', {},
    h('td', {}, String(i)),
    h('td', {}, h('input', { class: 'amp-label', 'aria-label': `Label of amplitude ${i}`, value: label, autocomplete: 'off', spellcheck: 'false', 'data-pointer': `/labels/${i}` })),
    h('td', {}, h('input', { class: 'amp-re', 'aria-label': `Real part of amplitude ${i}`, value: re, inputmode: 'decimal', autocomplete: 'off', 'data-pointer': `/amplitudes/${i}/0` })),
    h('td', {}, h('input', { class: 'amp-im', 'aria-label': `Imaginary part of amplitude ${i}`, value: im, inputmode: 'decimal', autocomplete: 'off', 'data-pointer': `/amplitudes/${i}/1` })),
    h('td', {}, h('button', { type: 'button', class: 'icon', 'aria-label': `Remove amplitude ${i}`, title: 'Remove', onclick: () => removeRow(tr) }, '✕')));
  rows.append(tr);
  refreshPlaceholders();
  return tr;
}

function removeRow(tr) {
  if ($('amp-rows').children.length <= 1) return;
  const values = readRows().filter((_, i) => i !== [...$('amp-rows').children].indexOf(tr));
  setRows(values);
  $('amp-add').focus();
}

// Every row's texts: [{label, re, im}].
function readRows() {
  return [...$('amp-rows').children].map((tr) => ({
    label: tr.querySelector('.amp-label').value,
    re: tr.querySelector('.amp-re').value,
    im: tr.querySelector('.amp-im').value,
  }));
}

function setRows(rows) {
  $('amp-rows').replaceChildren();
  for (const r of rows) addRow(r.label, r.re, r.im);
}

// The rows from amplitudes (numbers or [re, im]) and labels.
function setAmplitudes(amplitudes, labels) {
  setRows(amplitudes.map((a, i) => {
    const [re, im] = typeof a === 'number' ? [a, 0] : a;
    return { label: labels ? labels[i] : '', re: String(re), im: im === 0 ? '' : String(im) };
  }));
}

// Unset labels show psinet's default for the dimension.
function refreshPlaceholders() {
  const inputs = [...$('amp-rows').querySelectorAll('.amp-label')];
  const defaults = defaultLabels(inputs.length);
  inputs.forEach((input, i) => { input.placeholder = defaults[i]; });
}

// A part of an amplitude: a number, 0 when empty, else the text for psinet
// to refuse (its error then lands next to the field).
function part(text) {
  const t = text.trim();
  if (t === '') return 0;
  const x = Number(t);
  return Number.isFinite(x) ? x : t;
}

/** The editor's amplitudes and labels as psinet takes them: a number for
 * a real amplitude, [re, im] for a complex one; labels only when any is
 * set (psinet gives the defaults otherwise). */
function readState() {
  const rows = readRows();
  const amplitudes = rows.map((r) => {
    const re = part(r.re);
    const im = part(r.im);
    return im === 0 ? re : [re, im];
  });
  const labels = rows.some((r) => r.label.trim() !== '') ? rows.map((r) => r.label.trim()) : null;
  return { amplitudes, labels };
}

// ------------------------------------------------------------------ showing a state

/**
 * Shows a state: its probabilities and phases as charts and a table.
 * state: {amplitudes: [[re, im]...], probabilities, labels?, norm?,
 * entropy_bits?, id?, name?}; which: what it is, for the heading.
 */
function show(state, which) {
  const n = state.amplitudes.length;
  const labels = state.labels || defaultLabels(n);
  const phases = state.amplitudes.map(([re, im]) => (re === 0 && im === 0 ? null : Math.atan2(im, re)));
  say($('state-which'), which);
  barChart($('chart-probabilities'), {
    labels,
    datasets: [{ label: 'Born probability', data: state.probabilities }],
    yMin: 0,
    yTitle: 'probability',
  });
  barChart($('chart-phases'), {
    labels,
    datasets: [{ label: 'phase (rad)', data: phases, color: '#7c3aed' }],
    points: true,
    piTicks: true,
    yMin: -Math.PI,
    yMax: Math.PI,
    yTitle: 'radians',
  });
  $('state-table').tBodies[0].replaceChildren(...state.amplitudes.map((a, i) => h('tr', {},
    h('th', { scope: 'row' }, labels[i]),
    h('td', {}, complexNum(a)),
    h('td', {}, num(state.probabilities[i])),
    h('td', {}, num(phases[i])))));
  const qubits = Math.log2(n);
  const parts = [`dimension ${n}`];
  if (Number.isInteger(qubits)) parts.push(`${qubits} ${qubits === 1 ? 'qubit' : 'qubits'}`);
  const summary = $('state-summary');
  summary.replaceChildren(parts.join(' · '));
  if (state.norm !== undefined) summary.append(' · norm ', num(state.norm));
  if (state.entropy_bits !== undefined) summary.append(' · entropy ', num(state.entropy_bits), ' bits');
}

// Opens a stored state: the editor takes its amplitudes, the view shows
// it, and Measure measures it.
function open(state) {
  opened = state;
  setAmplitudes(state.amplitudes, state.labels);
  $('state-name').value = state.name || '';
  show(state, `stored: ${state.name ? `${state.name}, ` : ''}${state.id}`);
  $('measure-target').replaceChildren('Measuring ', h('strong', {}, state.name || 'the unnamed state'), ` (${state.id}, dimension ${state.amplitudes.length}).`);
  $('measure-run').disabled = false;
  $('measure-result').hidden = true;
  for (const tr of $('states-list').tBodies[0].rows) tr.classList.toggle('current', tr.dataset.id === state.id);
  $('state-operations').hidden = STATE_OPERATIONS.length === 0;
  $('state-operations-hint').hidden = true;
  const body = $('state-operations-body');
  body.replaceChildren();
  for (const op of STATE_OPERATIONS) {
    const box = h('section', { class: 'operation', 'aria-label': op.title }, h('h4', {}, op.title));
    body.append(box);
    op.render(box, state, lab);
  }
}

// ------------------------------------------------------------------ actions

async function normalize(event) {
  event.preventDefault();
  const form = $('state-form');
  clearErrors(form);
  say($('state-status'), '');
  const { amplitudes, labels } = readState();
  try {
    const res = await api.normalize(amplitudes);
    setAmplitudes(res.amplitudes, labels);
    show({ ...res, labels: labels && labels.every((l) => l) ? labels : null }, 'normalized, not stored');
    say($('state-status'), `Normalized: the amplitudes you gave had norm ${res.norm}.`);
  } catch (e) {
    showProblem(form, e);
  }
}

async function store() {
  const form = $('state-form');
  clearErrors(form);
  say($('state-status'), '');
  const { amplitudes, labels } = readState();
  const body = { amplitudes };
  if (labels) body.labels = labels;
  const name = $('state-name').value.trim();
  if (name) body.name = name;
  try {
    const state = await api.createSuperposition(body);
    open(state);
    say($('state-status'), `Stored as ${state.id}.`);
    await loadList(true);
    lab.emit('states');
  } catch (e) {
    showProblem(form, e);
  }
}

async function measure(event) {
  event.preventDefault();
  const form = $('measure-form');
  clearErrors(form);
  if (!opened) return;
  const shotsText = $('measure-shots').value.trim();
  const seedText = $('measure-seed').value.trim();
  // Whole numbers go as numbers; anything else as its text, for psinet to
  // refuse with a pointer at the field.
  const asInteger = (t) => (/^-?\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : t);
  try {
    const body = { shots: shotsText === '' ? undefined : asInteger(shotsText) };
    if (seedText !== '') body.seed = asInteger(seedText);
    const qubits = readVector($('measure-qubits'));
    if (qubits !== null) body.qubits = qubits;
    body.memory = $('measure-memory').checked;
    const m = await api.measure(opened.id, body);
    showCounts(m);
  } catch (e) {
    showProblem(form, e);
  }
}

// The counts of a measurement beside the Born distribution: of the whole
// state, or with qubits the marginal one psinet answered over them (2^k
// outcomes, the first listed qubit rightmost).
function showCounts(m) {
  const labels = m.qubits ? defaultLabels(2 ** m.qubits.length) : opened.labels;
  const born = m.qubits ? labels.map((l) => m.probabilities[l]) : opened.probabilities;
  const freq = labels.map((l) => (m.counts[l] || 0) / m.shots);
  $('measure-result').hidden = false;
  barChart($('chart-counts'), {
    labels,
    datasets: [
      { label: 'measured frequency', data: freq },
      { label: m.qubits ? 'Born probability (marginal)' : 'Born probability', data: born },
    ],
    yMin: 0,
    yTitle: 'probability',
  });
  $('counts-caption').replaceChildren(`${m.shots} shots, seed `, num(m.seed),
    m.qubits ? `, qubits ${m.qubits.join(', ')} (outcomes over them, the first listed rightmost)` : '');
  $('counts-table').tBodies[0].replaceChildren(...labels.map((l, i) => h('tr', {},
    h('th', { scope: 'row' }, l),
    h('td', {}, num(m.counts[l] || 0)),
    h('td', {}, num(freq[i])),
    h('td', {}, num(born[i])))));
  $('measure-memory-box').hidden = !m.memory;
  if (m.memory) $('measure-memory-list').textContent = m.memory.join(' ');
  $('measure-seed').placeholder = `last: ${m.seed}`;
}

// The stored states, newest first; more with each "More".
let listed = 0; // the latest load of the list: an earlier answer is dropped

async function loadList(fromStart) {
  const card = $('stored-states');
  const table = $('states-list');
  const mine = ++listed;
  clearErrors(card);
  if (fromStart) listCursor = null;
  table.setAttribute('aria-busy', 'true');
  try {
    const page = await api.listSuperpositions({ limit: 10, cursor: fromStart ? null : listCursor });
    if (mine !== listed) return;
    const body = $('states-list').tBodies[0];
    if (fromStart) body.replaceChildren();
    for (const s of page.items) {
      const tr = h('tr', { 'data-id': s.id },
        h('td', {}, s.name || h('span', { class: 'hint' }, s.id)),
        h('td', {}, `${s.dimension}${s.qubits !== null ? ` (${s.qubits} ${s.qubits === 1 ? 'qubit' : 'qubits'})` : ''}`),
        h('td', {}, time(s.created_at)),
        h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `Open ${s.name || s.id}`, onclick: () => openById(s.id) }, 'Open')));
      if (opened && opened.id === s.id) tr.classList.add('current');
      body.append(tr);
    }
    if (body.rows.length === 0) body.append(h('tr', {}, h('td', { colspan: 4, class: 'hint' }, 'None stored yet.')));
    listCursor = page.next_cursor;
    $('states-more').hidden = !listCursor;
  } catch (e) {
    if (mine === listed) showProblem(card, e, { focus: false });
  } finally {
    if (mine === listed) table.removeAttribute('aria-busy');
  }
}

async function openById(id) {
  const card = $('stored-states');
  clearErrors(card);
  try {
    open(await api.getSuperposition(id));
    $('state-view').scrollIntoView({ block: 'nearest' });
  } catch (e) {
    showProblem(card, e);
  }
}

// ------------------------------------------------------------------ wiring

export function init(theLab) {
  lab = theLab;
  api = lab.api;
  setAmplitudes(PRESETS[2].amplitudes, null);
  $('state-name').value = 'bell-like';
  $('amp-add').addEventListener('click', () => addRow('', '0', '').querySelector('.amp-re').focus());
  $('amp-qubits').addEventListener('change', (e) => {
    const preset = PRESETS[e.target.value];
    if (preset) setAmplitudes(preset.amplitudes, null);
    e.target.value = '';
  });
  $('amp-paste-apply').addEventListener('click', () => {
    const field = $('amp-paste');
    clearErrors($('state-form'));
    try {
      const amplitudes = readVector(field);
      if (!amplitudes || amplitudes.length === 0) throw new FieldError(field, 'no amplitudes to use');
      setAmplitudes(amplitudes.map((a) => (Array.isArray(a) ? a : [a, 0])), null);
    } catch (e) {
      showProblem($('state-form'), e);
    }
  });
  $('state-form').addEventListener('submit', normalize);
  $('state-store').addEventListener('click', store);
  $('measure-form').addEventListener('submit', measure);
  $('states-refresh').addEventListener('click', () => loadList(true));
  $('states-more').addEventListener('click', () => loadList(false));
  lab.on('key', () => {
    loadList(true);
    normalize(new Event('submit'));
  });
  lab.on('state', (state) => { open(state); loadList(true); });
  lab.on('show', ({ state, which }) => show(state, which));
  loadList(true);
  // Show the starting state at once.
  normalize(new Event('submit'));
}
